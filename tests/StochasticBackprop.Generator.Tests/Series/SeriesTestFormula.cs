using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Generator.Formulas;

namespace StochasticBackprop.Generator.Tests.Series;

/// <summary>
/// A test-only formula parser (numbers, names, i, pi, + - * / ^, unary minus, calls) that records
/// spans, so the series tests do not depend on the production parser being written in parallel.
/// </summary>
internal sealed class SeriesTestFormula
{
    private readonly string _text;
    private int _position;

    private SeriesTestFormula(string text) => _text = text;

    public static Expr Parse(string text)
    {
        var parser = new SeriesTestFormula(text);
        var expr = parser.ParseSum();
        parser.SkipSpaces();
        if (parser._position != text.Length) throw new FormatException($"Unexpected '{text[parser._position]}' at {parser._position} in '{text}'.");
        return expr;
    }

    private Expr ParseSum()
    {
        var left = ParseProduct();
        while (TryTake('+') || TryTake('-'))
        {
            var op = _text[_position - 1] == '+' ? BinaryOperator.Add : BinaryOperator.Subtract;
            var right = ParseProduct();
            left = new BinaryExpr(op, left, right) { Span = SourceSpan.Cover(left.Span, right.Span) };
        }

        return left;
    }

    private Expr ParseProduct()
    {
        var left = ParseUnary();
        while (TryTake('*') || TryTake('/'))
        {
            var op = _text[_position - 1] == '*' ? BinaryOperator.Multiply : BinaryOperator.Divide;
            var right = ParseUnary();
            left = new BinaryExpr(op, left, right) { Span = SourceSpan.Cover(left.Span, right.Span) };
        }

        return left;
    }

    private Expr ParseUnary()
    {
        SkipSpaces();
        int start = _position;
        if (TryTake('-'))
        {
            var operand = ParseUnary();
            return new NegateExpr(operand) { Span = new SourceSpan(start, operand.Span.End - start) };
        }

        return ParsePower();
    }

    private Expr ParsePower()
    {
        var basis = ParsePrimary();
        if (!TryTake('^')) return basis;
        var exponent = ParseUnary();
        return new BinaryExpr(BinaryOperator.Power, basis, exponent) { Span = SourceSpan.Cover(basis.Span, exponent.Span) };
    }

    private Expr ParsePrimary()
    {
        SkipSpaces();
        int start = _position;
        if (TryTake('('))
        {
            var inner = ParseSum();
            Expect(')');
            // Parentheses belong to the node's span, as a real parser would record them.
            return inner with { Span = new SourceSpan(start, _position - start) };
        }

        if (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] == '.'))
        {
            while (_position < _text.Length && (char.IsDigit(_text[_position]) || _text[_position] == '.')) _position++;
            double value = double.Parse(_text.Substring(start, _position - start), CultureInfo.InvariantCulture);
            return new NumberExpr(value) { Span = new SourceSpan(start, _position - start) };
        }

        while (_position < _text.Length && (char.IsLetterOrDigit(_text[_position]) || _text[_position] == '_')) _position++;
        string name = _text.Substring(start, _position - start);
        if (name.Length == 0) throw new FormatException($"Expected an operand at {start} in '{_text}'.");
        if (FunctionNames.ByName.TryGetValue(name, out var function))
        {
            Expect('(');
            var argument = ParseSum();
            Expect(')');
            return new CallExpr(function, argument) { Span = new SourceSpan(start, _position - start) };
        }

        var span = new SourceSpan(start, name.Length);
        return name switch
        {
            "i" => new ImaginaryUnitExpr { Span = span },
            "pi" => new PiExpr { Span = span },
            _ => new SymbolExpr(name) { Span = span },
        };
    }

    private void Expect(char c)
    {
        if (!TryTake(c)) throw new FormatException($"Expected '{c}' at {_position} in '{_text}'.");
    }

    private bool TryTake(char c)
    {
        SkipSpaces();
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void SkipSpaces()
    {
        while (_position < _text.Length && _text[_position] == ' ') _position++;
    }
}

/// <summary>Evaluates a real <see cref="Expr"/> in doubles, for numeric checks of the expansion.</summary>
internal static class SeriesTestEvaluator
{
    public static double Evaluate(Expr expr, IReadOnlyDictionary<string, double> values) => expr switch
    {
        NumberExpr number => number.Value,
        PiExpr => Math.PI,
        SymbolExpr symbol => values.TryGetValue(symbol.Name, out double value) ? value : throw new KeyNotFoundException(symbol.Name),
        NegateExpr negate => -Evaluate(negate.Operand, values),
        BinaryExpr binary => Binary(binary.Operator, Evaluate(binary.Left, values), Evaluate(binary.Right, values)),
        CallExpr call => RealValue(FunctionCatalog.Get(call.Function).Evaluate(call.Arguments.Select(a => (System.Numerics.Complex)Evaluate(a, values)).ToArray())),
        _ => throw new ArgumentException($"Cannot evaluate {expr} as a real number."),
    };

    private static double Binary(BinaryOperator op, double left, double right) => op switch
    {
        BinaryOperator.Add => left + right,
        BinaryOperator.Subtract => left - right,
        BinaryOperator.Multiply => left * right,
        BinaryOperator.Divide => left / right,
        _ => Math.Pow(left, right),
    };

    private static double RealValue(System.Numerics.Complex value) =>
        value.Imaginary == 0 ? value.Real : throw new ArgumentException($"A function value is not real: {value}.");
}
