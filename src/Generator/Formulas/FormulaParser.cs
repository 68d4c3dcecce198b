using System;
using System.Collections.Generic;
using System.Linq;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>The names a formula may mention besides <c>i</c>, <c>pi</c> and the functions.</summary>
/// <param name="Variables">Random variables and noise, such as <c>z</c>, <c>w</c>, <c>eps</c>.</param>
/// <param name="Parameters">Distribution parameters, such as <c>mu</c>, <c>sigma</c>.</param>
internal sealed record FormulaScope(IReadOnlyList<string> Variables, IReadOnlyList<string> Parameters)
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

/// <summary>One problem in a formula, with the exact characters it is about.</summary>
internal sealed record FormulaError(FormulaErrorKind Kind, string Message, SourceSpan Span, int Depth = 0);

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
                parser.Errors.Add(new FormulaError(FormulaErrorKind.TooDeep, "", all, depth));
            }
            else if (nonlinear > MaxNonlinearDepth)
            {
                parser.Errors.Add(new FormulaError(FormulaErrorKind.TooDeepNonlinear, "", all, nonlinear));
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
                Errors.Add(new FormulaError(FormulaErrorKind.Syntax, "The formula is empty.", new SourceSpan(0, _text.Length)));
                return null;
            }

            Expr root = ParseSum();
            if (Current.Kind != FormulaTokenKind.End)
            {
                if (Current.Kind == FormulaTokenKind.CloseParen)
                {
                    Fail(Current.Span, "Unexpected ')': it has no matching '('.");
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
                Errors.Add(new FormulaError(FormulaErrorKind.TooDeep, "", Current.Span, _nesting));
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
                return new BinaryExpr(BinaryOperator.Power, left, right) { Span = SourceSpan.Cover(left.Span, right.Span) };
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
                        Fail(token.Span, $"The number '{token.Text}' is out of range.");
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
                    Fail(Previous.Span, $"'{Previous.Text}' is missing its right operand: the formula ends here.");
                    break;

                case FormulaTokenKind.Invalid:
                    Fail(token.Span, $"Unexpected character '{token.Text}'.");
                    break;

                case FormulaTokenKind.CloseParen:
                    Fail(token.Span, _position > 0 && Previous.Kind == FormulaTokenKind.OpenParen
                        ? "Empty parentheses: expected an expression before ')'."
                        : $"Expected an operand before ')'.");
                    break;

                case FormulaTokenKind.Plus:
                    Fail(token.Span, "Unexpected '+': a unary plus is not allowed; expected a number, a name or '('.");
                    break;

                default:
                    Fail(token.Span, $"Unexpected '{token.Text}': expected a number, a name or '('.");
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
                        Errors.Add(new FormulaError(
                            FormulaErrorKind.Syntax,
                            $"'{identifier}' takes {Count(row.Arity)}, as in '{row.Signature}', not {arguments.Count}.",
                            span));
                        return new SymbolExpr(identifier) { Span = span };
                    }

                    if (row.IntegerOrderArgument >= 0)
                    {
                        Expr order = arguments[row.IntegerOrderArgument];
                        if (order is not NumberExpr { Value: var n } || n != Math.Floor(n) || n < 0 || n > FunctionCatalog.MaxPolygammaOrder)
                        {
                            Errors.Add(new FormulaError(
                                FormulaErrorKind.Syntax,
                                $"The order of '{row.Signature}' must be an integer literal from 0 to {FunctionCatalog.MaxPolygammaOrder}, not '{_text.Substring(order.Span.Start, order.Span.Length)}'.",
                                order.Span));
                            return new SymbolExpr(identifier) { Span = span };
                        }
                    }

                    return new CallExpr(function, arguments.ToArray()) { Span = span };
                }

                if (IsKnownName(identifier))
                {
                    Errors.Add(new FormulaError(
                        FormulaErrorKind.Syntax,
                        $"'{identifier}' is not a function and cannot be called; to multiply, write '{identifier}*(...)'.",
                        name.Span));
                }
                else
                {
                    Errors.Add(new FormulaError(
                        FormulaErrorKind.UnknownFunction,
                        $"Unknown function '{identifier}'.{Suggestion(identifier, FunctionNames.ByName.Keys)} Known functions: {string.Join(", ", FunctionNames.ByName.Keys)}.",
                        name.Span));
                }

                return new SymbolExpr(identifier) { Span = span };
            }

            if (isFunction)
            {
                Errors.Add(new FormulaError(
                    FormulaErrorKind.Syntax,
                    $"The function '{identifier}' must be called with {Count(FunctionCatalog.Get(function).Arity)}, as in '{FunctionCatalog.Get(function).Signature}'.",
                    name.Span));
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
            else
            {
                IEnumerable<string> candidates = _scope.Variables.Concat(_scope.Parameters).Concat(new[] { "pi" });
                Errors.Add(new FormulaError(
                    FormulaErrorKind.UnknownIdentifier,
                    $"Unknown name '{identifier}'.{Suggestion(identifier, candidates)}",
                    name.Span));
            }

            return new SymbolExpr(identifier) { Span = name.Span };
        }

        private static string Count(int arity) => arity == 1 ? "one argument" : arity + " arguments";

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
                Fail(open, "Unclosed parenthesis: this '(' has no matching ')'.");
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
                string before = Previous.Text;
                Fail(token.Span, $"Missing operator between '{before}' and '{token.Text}': implicit multiplication is not allowed; write '{before}*{token.Text}'.");
            }

            if (token.Kind == FormulaTokenKind.Invalid)
            {
                Fail(token.Span, $"Unexpected character '{token.Text}'.");
            }

            Fail(token.Span, $"Unexpected '{token.Text}'.");
        }

        private static bool StartsOperand(FormulaToken token) =>
            token.Kind is FormulaTokenKind.Number or FormulaTokenKind.Identifier or FormulaTokenKind.OpenParen;

        private void Fail(SourceSpan span, string message)
        {
            Errors.Add(new FormulaError(FormulaErrorKind.Syntax, message, span));
            throw new SyntaxErrorException();
        }
    }

    /// <summary>" Did you mean 'x'?" for the closest candidate within edit distance 2, or an empty string.</summary>
    private static string Suggestion(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal))
        {
            int distance = EditDistance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= 2 && bestDistance < Math.Max(name.Length, best.Length)
            ? $" Did you mean '{best}'?"
            : string.Empty;
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
