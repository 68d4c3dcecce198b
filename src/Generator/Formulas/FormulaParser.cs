using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>The names a formula may mention besides <c>i</c>, <c>pi</c> and the functions.</summary>
/// <param name="Variables">Random variables and noise, such as <c>z</c>, <c>w</c>, <c>eps</c>.</param>
/// <param name="Parameters">Distribution parameters, such as <c>mu</c>, <c>sigma</c>.</param>
/// <param name="Role">Which attribute the formula comes from, when known: a misused variable's hint says what that formula may mention.</param>
internal sealed record FormulaScope(IReadOnlyList<string> Variables, IReadOnlyList<string> Parameters, FormulaRole? Role = null)
{
    public bool Contains(string name) => Variables.Contains(name, StringComparer.Ordinal) || Parameters.Contains(name, StringComparer.Ordinal);
}

internal enum FormulaErrorKind
{
    Syntax,
    UnknownIdentifier,
    UnknownFunction,

    /// <summary>The tree is deeper than <see cref="FormulaParser.MaxDepth"/>; <see cref="FormulaError.Depth"/> says how deep.</summary>
    TooDeep,

    /// <summary>More than <see cref="FormulaParser.MaxNonlinearDepth"/> functions and powers nested; <see cref="FormulaError.Depth"/> says how many.</summary>
    TooDeepNonlinear,
}

/// <summary>One problem in a formula, with the exact characters it is about: a descriptor of the catalog and its message arguments.</summary>
internal sealed record FormulaError(DiagnosticDescriptor Descriptor, SourceSpan Span, params object[] Arguments)
{
    public FormulaErrorKind Kind => Descriptor.Id switch
    {
        "SBG002" => FormulaErrorKind.UnknownIdentifier,
        "SBG003" => FormulaErrorKind.UnknownFunction,
        _ when Descriptor == DiagnosticDescriptors.FormulaTooDeep_Levels => FormulaErrorKind.TooDeep,
        _ when Descriptor == DiagnosticDescriptors.FormulaTooDeep_Nonlinear => FormulaErrorKind.TooDeepNonlinear,
        _ => FormulaErrorKind.Syntax,
    };

    /// <summary>The text the diagnostic shows.</summary>
    public string Message => Descriptor.FormatMessage(Arguments);
}

/// <summary>The outcome of <see cref="FormulaParser.Parse"/>: a tree when there is no error, and every error found.</summary>
internal sealed record ParsedFormula(Expr? Root, IReadOnlyList<FormulaError> Errors, IReadOnlyList<string> SymbolsUsed)
{
    public bool Success => Root is not null && Errors.Count == 0;
}

/// <summary>
/// Recursive-descent parser for the formula language.
/// </summary>
/// <remarks>
/// Grammar, loosest binding first:
/// <code>
/// sum     := product (('+' | '-') product)*
/// product := unary (('*' | '/') unary)*
/// unary   := '-' unary | power
/// power   := primary ('^' unary)?          // right-associative; -x^2 is -(x^2); x^-1 is allowed
/// primary := number | name | function '(' sum (',' sum)* ')' | '(' sum ')'
/// </code>
/// Unknown names, unknown functions and misused names are reported and parsing goes on, so all of
/// them are listed; a syntax error stops the parse. Never throws.
/// </remarks>
internal static class FormulaParser
{
    /// <summary>
    /// The deepest formula tree the generator accepts. Every later stage (simplifier, differentiator,
    /// printers, series expansion) walks the tree recursively, and a generator runs on the compiler's
    /// or the IDE's thread (1 MB of stack); real formulas are a few dozen levels deep.
    /// </summary>
    public const int MaxDepth = 150;

    /// <summary>
    /// The most function calls and powers nested on one path. Each one multiplies the work of
    /// differentiation and simplification (an exponent tower's derivative grows with every level).
    /// </summary>
    public const int MaxNonlinearDepth = 40;

    public static ParsedFormula Parse(string text, FormulaScope scope)
    {
        text ??= string.Empty;
        var parser = new Parser(text, scope);
        Expr? root = null;
        try
        {
            root = parser.ParseFormula();
        }
        catch (SyntaxErrorException)
        {
            // The error is already recorded; a syntax error ends the parse.
        }

        // The parser bounds its own recursion, but a long chain of + or * is built by a loop into a
        // tree as deep as the chain is long.
        if (root is not null && parser.Errors.Count == 0)
        {
            (int depth, int nonlinear) = DepthOf(root);
            SourceSpan all = root.Span.IsNone ? new SourceSpan(0, text.Length) : root.Span;
            if (depth > MaxDepth)
            {
                parser.Errors.Add(new FormulaError(DiagnosticDescriptors.FormulaTooDeep_Levels, all, depth, MaxDepth));
            }
            else if (nonlinear > MaxNonlinearDepth)
            {
                parser.Errors.Add(new FormulaError(DiagnosticDescriptors.FormulaTooDeep_Nonlinear, all, nonlinear, MaxNonlinearDepth));
            }
        }

        IReadOnlyList<FormulaError> errors = parser.Errors;
        return new ParsedFormula(errors.Count == 0 ? root : null, errors, parser.SymbolsUsed);
    }

    /// <summary>
    /// The depth of <paramref name="root"/>'s tree (a leaf is 1), and the most function calls and
    /// powers on one path from the root, with an explicit stack.
    /// </summary>
    internal static (int Depth, int NonlinearDepth) DepthOf(Expr root)
    {
        int deepest = 0, mostNonlinear = 0;
        var pending = new Stack<(Expr Node, int Depth, int Nonlinear)>();
        pending.Push((root, 1, 0));
        while (pending.Count > 0)
        {
            (Expr node, int depth, int nonlinear) = pending.Pop();
            deepest = Math.Max(deepest, depth);
            mostNonlinear = Math.Max(mostNonlinear, nonlinear);
            switch (node)
            {
                case NegateExpr negate:
                    pending.Push((negate.Operand, depth + 1, nonlinear));
                    break;
                case BinaryExpr binary:
                    int inner = binary.Operator == BinaryOperator.Power ? nonlinear + 1 : nonlinear;
                    pending.Push((binary.Left, depth + 1, inner));
                    pending.Push((binary.Right, depth + 1, inner));
                    break;
                case CallExpr call:
                    foreach (Expr argument in call.Arguments) pending.Push((argument, depth + 1, nonlinear + 1));
                    break;
            }
        }
        return (deepest, mostNonlinear);
    }

    private sealed class SyntaxErrorException : Exception
    {
    }

    private sealed class Parser
    {
        private readonly string _text;
        private readonly FormulaScope _scope;
        private readonly List<FormulaToken> _tokens;
        private int _position;
        private int _nesting;

        public Parser(string text, FormulaScope scope)
        {
            _text = text;
            _scope = scope;
            _tokens = FormulaLexer.Tokenize(text);
        }

        public List<FormulaError> Errors { get; } = new();

        public List<string> SymbolsUsed { get; } = new();

        private FormulaToken Current => _tokens[_position];

        private FormulaToken Previous => _tokens[Math.Max(0, _position - 1)];

        public Expr? ParseFormula()
        {
            if (Current.Kind == FormulaTokenKind.End)
            {
                Errors.Add(new FormulaError(DiagnosticDescriptors.FormulaSyntax_Empty, new SourceSpan(0, _text.Length)));
                return null;
            }

            Expr root = ParseSum();
            if (Current.Kind != FormulaTokenKind.End)
            {
                if (Current.Kind == FormulaTokenKind.CloseParen)
                {
                    Fail(Current.Span, DiagnosticDescriptors.FormulaSyntax_UnmatchedCloseParenthesis);
                }

                ReportMissingOperatorOrUnexpected();
            }

            return root;
        }

        private Expr ParseSum() => ParseLeftAssociative(ParseProduct, BinaryOperator.Add, BinaryOperator.Subtract);

        private Expr ParseProduct() => ParseLeftAssociative(ParseUnary, BinaryOperator.Multiply, BinaryOperator.Divide);

        /// <summary>operand ((first | second) operand)*, grouped to the left: a - b - c is (a - b) - c.</summary>
        private Expr ParseLeftAssociative(Func<Expr> parseOperand, BinaryOperator first, BinaryOperator second)
        {
            Expr left = parseOperand();
            while (InfixOperator(Current.Kind) is { } op && (op == first || op == second))
            {
                _position++;
                Expr right = parseOperand();
                left = new BinaryExpr(op, left, right) { Span = SourceSpan.Cover(left.Span, right.Span) };
            }

            return left;
        }

        private static BinaryOperator? InfixOperator(FormulaTokenKind kind) => kind switch
        {
            FormulaTokenKind.Plus => BinaryOperator.Add,
            FormulaTokenKind.Minus => BinaryOperator.Subtract,
            FormulaTokenKind.Star => BinaryOperator.Multiply,
            FormulaTokenKind.Slash => BinaryOperator.Divide,
            _ => null,
        };

        private Expr ParseUnary()
        {
            // Every nesting (parentheses, function calls, '-', '^') passes through here.
            if (++_nesting > MaxDepth)
            {
                Errors.Add(new FormulaError(DiagnosticDescriptors.FormulaTooDeep_Levels, Current.Span, _nesting, MaxDepth));
                throw new SyntaxErrorException();
            }
            try
            {
                return ParseUnaryWithinDepth();
            }
            finally
            {
                _nesting--;
            }
        }

        private Expr ParseUnaryWithinDepth()
        {
            if (Current.Kind == FormulaTokenKind.Minus)
            {
                SourceSpan minus = Current.Span;
                _position++;
                Expr operand = ParseUnary();
                return new NegateExpr(operand) { Span = SourceSpan.Cover(minus, operand.Span) };
            }

            return ParsePower();
        }

        private Expr ParsePower()
        {
            Expr left = ParsePrimary();
            if (Current.Kind == FormulaTokenKind.Caret)
            {
                _position++;
                Expr right = ParseUnary();
                SourceSpan span = SourceSpan.Cover(left.Span, right.Span);
                if (IsUnknownE(left))
                {
                    // e^x: ParseName left the unknown 'e' to be reported here, with the exponent.
                    string exponent = _text.Substring(right.Span.Start, right.Span.Length);
                    Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownIdentifier_PowerOfE, span, exponent, WithoutOuterParentheses(exponent)));
                }

                return new BinaryExpr(BinaryOperator.Power, left, right) { Span = span };
            }

            // A primary directly followed by another operand: "2x", "2(x + 1)", "(a)(b)", "x y".
            if (StartsOperand(Current))
            {
                ReportMissingOperatorOrUnexpected();
            }

            return left;
        }

        private Expr ParsePrimary()
        {
            FormulaToken token = Current;
            switch (token.Kind)
            {
                case FormulaTokenKind.Number:
                    _position++;
                    if (double.IsInfinity(token.Value) || double.IsNaN(token.Value))
                    {
                        Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_NumberOutOfRange, token.Text);
                    }

                    return new NumberExpr(token.Value) { Span = token.Span };

                case FormulaTokenKind.Identifier:
                    _position++;
                    return ParseName(token);

                case FormulaTokenKind.OpenParen:
                {
                    _position++;
                    Expr inner = ParseSum();
                    SourceSpan close = ExpectCloseParen(token.Span);
                    return inner with { Span = SourceSpan.Cover(token.Span, close) };
                }

                case FormulaTokenKind.End:
                    // Never at position 0: ParseFormula reports an empty formula before parsing.
                    Fail(Previous.Span, DiagnosticDescriptors.FormulaSyntax_MissingRightOperand, Previous.Text);
                    break;

                case FormulaTokenKind.Invalid:
                    Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_UnexpectedCharacter, token.Text);
                    break;

                case FormulaTokenKind.CloseParen:
                    Fail(token.Span, _position > 0 && Previous.Kind == FormulaTokenKind.OpenParen
                        ? DiagnosticDescriptors.FormulaSyntax_EmptyParentheses
                        : DiagnosticDescriptors.FormulaSyntax_OperandExpectedBeforeCloseParenthesis);
                    break;

                case FormulaTokenKind.Plus:
                    Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_UnaryPlus);
                    break;

                case FormulaTokenKind.Star when _position > 0 && Previous.Kind == FormulaTokenKind.Star && Previous.Span.End == token.Span.Start:
                    // a**b: the second '*' of a Python or Fortran power.
                    Fail(SourceSpan.Cover(Previous.Span, token.Span), DiagnosticDescriptors.FormulaSyntax_DoubleStar);
                    break;

                default:
                    Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_OperandExpected, token.Text);
                    break;
            }

            throw new SyntaxErrorException();
        }

        private Expr ParseName(FormulaToken name)
        {
            string identifier = name.Text;
            bool isCall = Current.Kind == FormulaTokenKind.OpenParen;
            bool isFunction = FunctionNames.ByName.TryGetValue(identifier, out FunctionKind function);

            if (isCall)
            {
                FormulaToken open = Current;
                _position++;
                var arguments = new List<Expr> { ParseSum() };
                while (Current.Kind == FormulaTokenKind.Comma)
                {
                    _position++;
                    arguments.Add(ParseSum());
                }

                SourceSpan close = ExpectCloseParen(open.Span);
                SourceSpan span = SourceSpan.Cover(name.Span, close);
                if (isFunction)
                {
                    FunctionRow row = FunctionCatalog.Get(function);
                    if (arguments.Count != row.Arity)
                    {
                        Errors.Add(row.Arity == 1
                            ? new FormulaError(DiagnosticDescriptors.FormulaSyntax_WrongArgumentCountOfOne, span, identifier, row.Signature, arguments.Count)
                            : new FormulaError(DiagnosticDescriptors.FormulaSyntax_WrongArgumentCount, span, identifier, row.Arity, row.Signature, arguments.Count));
                        return new SymbolExpr(identifier) { Span = span };
                    }

                    if (row.IntegerOrderArgument >= 0)
                    {
                        Expr order = arguments[row.IntegerOrderArgument];
                        if (order is not NumberExpr { Value: var n } || n != Math.Floor(n) || n < 0 || n > FunctionCatalog.MaxPolygammaOrder)
                        {
                            Errors.Add(new FormulaError(
                                DiagnosticDescriptors.FormulaSyntax_OrderNotAnIntegerLiteral,
                                order.Span,
                                row.Signature,
                                FunctionCatalog.MaxPolygammaOrder,
                                _text.Substring(order.Span.Start, order.Span.Length)));
                            return new SymbolExpr(identifier) { Span = span };
                        }
                    }

                    return new CallExpr(function, arguments.ToArray()) { Span = span };
                }

                if (IsKnownName(identifier))
                {
                    Errors.Add(new FormulaError(DiagnosticDescriptors.FormulaSyntax_NotAFunction, name.Span, identifier));
                }
                else if (identifier == "pow")
                {
                    // pow(a, b) of C, C# or Python: the formulas write a^b.
                    bool two = arguments.Count == 2;
                    Errors.Add(new FormulaError(
                        DiagnosticDescriptors.UnknownFunction_Pow,
                        name.Span,
                        two ? PowerOperand(arguments[0]) : "a",
                        two ? PowerOperand(arguments[1]) : "b"));
                }
                else if (Suggestion(identifier, FunctionNames.ByName.Keys) is { } closest)
                {
                    Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownFunction_DidYouMean, name.Span, identifier, closest, KnownFunctions));
                }
                else
                {
                    Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownFunction_Name, name.Span, identifier, KnownFunctions));
                }

                return new SymbolExpr(identifier) { Span = span };
            }

            if (isFunction)
            {
                FunctionRow row = FunctionCatalog.Get(function);
                Errors.Add(row.Arity == 1
                    ? new FormulaError(DiagnosticDescriptors.FormulaSyntax_FunctionNotCalledWithOne, name.Span, identifier, row.Signature)
                    : new FormulaError(DiagnosticDescriptors.FormulaSyntax_FunctionNotCalled, name.Span, identifier, row.Arity, row.Signature));
                return new SymbolExpr(identifier) { Span = name.Span };
            }

            switch (identifier)
            {
                case "i":
                    return new ImaginaryUnitExpr { Span = name.Span };
                case "pi":
                    return new PiExpr { Span = name.Span };
            }

            if (_scope.Contains(identifier))
            {
                if (!SymbolsUsed.Contains(identifier)) SymbolsUsed.Add(identifier);
            }
            else if (identifier == "e")
            {
                // e^x is reported by ParsePower with its exponent; a lone e as the constant here.
                if (Current.Kind != FormulaTokenKind.Caret)
                {
                    Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownIdentifier_ConstantE, name.Span));
                }
            }
            else if (_scope.Role is { } role && MessagePhrases.VariableMeaning(identifier, role) is { } meaning)
            {
                // z, w or eps in a formula that has another variable (or none).
                Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownIdentifier_MisusedVariable, name.Span, identifier, meaning, MessagePhrases.FormulaIn(role, _scope.Variables)));
            }
            else if (Suggestion(identifier, _scope.Variables.Concat(_scope.Parameters).Concat(new[] { "pi" })) is { } known)
            {
                Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownIdentifier_DidYouMean, name.Span, identifier, known));
            }
            else
            {
                Errors.Add(new FormulaError(DiagnosticDescriptors.UnknownIdentifier_Name, name.Span, identifier, MessagePhrases.NamesInScope(_scope.Variables.Concat(_scope.Parameters))));
            }

            return new SymbolExpr(identifier) { Span = name.Span };
        }

        private static string KnownFunctions => string.Join(", ", FunctionNames.ByName.Keys);

        /// <summary>The name <c>e</c> as written (not parenthesized), when it is not a parameter or a variable: <c>e^x</c> means exp(x).</summary>
        private bool IsUnknownE(Expr expression) => expression is SymbolExpr { Name: "e", Span.Length: 1 } && !_scope.Contains("e");

        /// <summary>An argument of pow as it would stand on one side of '^': parenthesized unless it is a name or a number.</summary>
        private string PowerOperand(Expr argument)
        {
            string text = _text.Substring(argument.Span.Start, argument.Span.Length).Trim();
            return argument is SymbolExpr or NumberExpr or PiExpr or ImaginaryUnitExpr or CallExpr || IsParenthesized(text) ? text : "(" + text + ")";
        }

        private bool IsKnownName(string identifier) => identifier is "i" or "pi" || _scope.Contains(identifier);

        private SourceSpan ExpectCloseParen(SourceSpan open)
        {
            if (Current.Kind == FormulaTokenKind.CloseParen)
            {
                SourceSpan close = Current.Span;
                _position++;
                return close;
            }

            if (Current.Kind == FormulaTokenKind.End)
            {
                Fail(open, DiagnosticDescriptors.FormulaSyntax_UnclosedParenthesis);
            }

            ReportMissingOperatorOrUnexpected();
            throw new SyntaxErrorException();
        }

        /// <summary>Reports the current token, which cannot follow what was parsed, and stops.</summary>
        private void ReportMissingOperatorOrUnexpected()
        {
            FormulaToken token = Current;
            if (StartsOperand(token))
            {
                Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_MissingOperator, Previous.Text, token.Text);
            }

            if (token.Kind == FormulaTokenKind.Invalid)
            {
                Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_UnexpectedCharacter, token.Text);
            }

            Fail(token.Span, DiagnosticDescriptors.FormulaSyntax_UnexpectedToken, token.Text);
        }

        private static bool StartsOperand(FormulaToken token) =>
            token.Kind is FormulaTokenKind.Number or FormulaTokenKind.Identifier or FormulaTokenKind.OpenParen;

        /// <summary>Records a syntax error (an SBG001 descriptor) and stops the parse.</summary>
        private void Fail(SourceSpan span, DiagnosticDescriptor descriptor, params object[] arguments)
        {
            Errors.Add(new FormulaError(descriptor, span, arguments));
            throw new SyntaxErrorException();
        }
    }

    /// <summary>
    /// What a misspelt <paramref name="name"/> probably meant: the closest candidate one edit away, else the only
    /// candidate it is the start of (3 letters or more: <c>sigm</c> is sigmoid, though sinh is two edits away),
    /// else the closest candidate two edits away; the first in ordinal order on a tie; null when none is.
    /// </summary>
    internal static string? Suggestion(string name, IEnumerable<string> candidates)
    {
        List<string> ordered = candidates.Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal).ToList();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in ordered)
        {
            int distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // One edit away is never the whole name (a one-letter name is not one edit from every one-letter candidate).
        if (best is not null && bestDistance == 1 && bestDistance < Math.Max(name.Length, best.Length))
        {
            return best;
        }

        List<string> extensions = name.Length >= 3 ? ordered.Where(c => c.StartsWith(name, StringComparison.Ordinal)).ToList() : new List<string>();
        if (extensions.Count == 1)
        {
            return extensions[0];
        }

        return best is not null && bestDistance == 2 && bestDistance < Math.Max(name.Length, best.Length) ? best : null;
    }

    /// <summary><paramref name="text"/> without one pair of parentheses around all of it: <c>(-x^2/2)</c> is <c>-x^2/2</c>, <c>(a)*(b)</c> stays.</summary>
    internal static string WithoutOuterParentheses(string text)
    {
        string trimmed = text.Trim();
        return IsParenthesized(trimmed) ? trimmed.Substring(1, trimmed.Length - 2).Trim() : trimmed;
    }

    /// <summary>Whether the '(' that opens <paramref name="text"/> is closed by its last character.</summary>
    private static bool IsParenthesized(string text)
    {
        if (text.Length < 2 || text[0] != '(' || text[text.Length - 1] != ')')
        {
            return false;
        }

        int depth = 0;
        for (int index = 0; index < text.Length; index++)
        {
            depth += text[index] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return index == text.Length - 1;
            }
        }

        return false;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
