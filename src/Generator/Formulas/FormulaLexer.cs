using System.Collections.Generic;
using System.Globalization;

namespace StochasticBackprop.Generator.Formulas;

internal enum FormulaTokenKind
{
    Number,
    Identifier,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    OpenParen,
    CloseParen,

    /// <summary>',' between the arguments of a function of several.</summary>
    Comma,
    Invalid,
    End,
}

internal readonly record struct FormulaToken(FormulaTokenKind Kind, string Text, SourceSpan Span, double Value = 0);

/// <summary>Splits a formula into tokens. Never throws: a character outside the grammar becomes an <see cref="FormulaTokenKind.Invalid"/> token.</summary>
internal static class FormulaLexer
{
    public static List<FormulaToken> Tokenize(string text)
    {
        var tokens = new List<FormulaToken>();
        int position = 0;
        while (position < text.Length)
        {
            char c = text[position];
            if (char.IsWhiteSpace(c))
            {
                position++;
                continue;
            }

            int start = position;
            if (IsDigit(c))
            {
                tokens.Add(ReadNumber(text, ref position));
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
                {
                    position++;
                }

                tokens.Add(new FormulaToken(FormulaTokenKind.Identifier, text.Substring(start, position - start), new SourceSpan(start, position - start)));
                continue;
            }

            FormulaTokenKind kind = c switch
            {
                '+' => FormulaTokenKind.Plus,
                '-' => FormulaTokenKind.Minus,
                '*' => FormulaTokenKind.Star,
                '/' => FormulaTokenKind.Slash,
                '^' => FormulaTokenKind.Caret,
                '(' => FormulaTokenKind.OpenParen,
                ')' => FormulaTokenKind.CloseParen,
                ',' => FormulaTokenKind.Comma,
                _ => FormulaTokenKind.Invalid,
            };
            position++;
            tokens.Add(new FormulaToken(kind, c.ToString(), new SourceSpan(start, 1)));
        }

        tokens.Add(new FormulaToken(FormulaTokenKind.End, string.Empty, new SourceSpan(text.Length, 0)));
        return tokens;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    /// <summary>Reads <c>digits [. digits] [(e|E) [+|-] digits]</c>. An <c>e</c> not followed by an exponent is left for the next token (so <c>2e</c> reads as <c>2</c>, <c>e</c>).</summary>
    private static FormulaToken ReadNumber(string text, ref int position)
    {
        int start = position;
        while (position < text.Length && IsDigit(text[position])) position++;
        if (position < text.Length && text[position] == '.')
        {
            if (position + 1 < text.Length && IsDigit(text[position + 1]))
            {
                position++;
                while (position < text.Length && IsDigit(text[position])) position++;
            }
            else
            {
                // "1." is not a number: mark the dot itself as the offending character.
                string head = text.Substring(start, position - start);
                var numberToken = new FormulaToken(FormulaTokenKind.Number, head, new SourceSpan(start, position - start), ParseValue(head));
                return numberToken;
            }
        }

        if (position < text.Length && (text[position] == 'e' || text[position] == 'E'))
        {
            int exponentStart = position + 1;
            if (exponentStart < text.Length && (text[exponentStart] == '+' || text[exponentStart] == '-')) exponentStart++;
            if (exponentStart < text.Length && IsDigit(text[exponentStart]))
            {
                position = exponentStart;
                while (position < text.Length && IsDigit(text[position])) position++;
            }
        }

        string literal = text.Substring(start, position - start);
        return new FormulaToken(FormulaTokenKind.Number, literal, new SourceSpan(start, position - start), ParseValue(literal));
    }

    private static double ParseValue(string literal) =>
        double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.PositiveInfinity;
}
