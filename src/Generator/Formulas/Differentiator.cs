namespace StochasticBackprop.Generator.Formulas;

/// <summary>A simplified derivative, or why there is none (<see cref="Span"/> is the node that has no derivative in the language).</summary>
internal sealed record DerivativeResult(Expr? Result, string? Error, SourceSpan Span)
{
    public bool Success => Result is not null;
}

/// <summary>Symbolic differentiation of formulas, followed by <see cref="Simplifier.Simplify"/>.</summary>
/// <remarks>
/// Rules: sum, product and quotient rules; <c>(u^v)' = v*u^(v - 1)*u'</c> when <c>v</c> does not
/// depend on the symbol, <c>u^v*(v'*log(u) + v*u'/u)</c> otherwise; the chain rule with each function's
/// derivative from its <see cref="FunctionCatalog"/> row (<c>exp' = exp</c>, <c>lgamma' = digamma</c>,
/// <c>digamma' = polygamma(1, ·)</c>, <c>lbeta</c> by both arguments, …). A rule that has no derivative
/// in the language reports it, never throws. A subexpression that does not mention the symbol has
/// derivative 0 without being looked into.
/// </remarks>
internal static class Differentiator
{
    /// <param name="e">The formula.</param>
    /// <param name="symbol">The parameter to differentiate by.</param>
    /// <param name="eventwise">
    /// True when <paramref name="symbol"/> has an event axis and the derivative is taken per element of it
    /// (∂/∂α_k): a reduction <c>sum(u)</c> then differentiates to <c>u'</c>, the k-th term of the sum, and
    /// <c>logsumexp(u)</c> to <c>exp(u - logsumexp(u))*u'</c>. False: they reduce the derivative too.
    /// </param>
    public static DerivativeResult Differentiate(Expr e, string symbol, bool eventwise = false)
    {
        var state = new State(symbol, eventwise);
        Expr raw = state.Derive(e);
        return state.Error is not null
            ? new DerivativeResult(null, state.Error, state.ErrorSpan)
            : new DerivativeResult(Simplifier.Simplify(raw), null, SourceSpan.None);
    }

    /// <summary>Whether <paramref name="e"/> mentions <paramref name="symbol"/>.</summary>
    public static bool DependsOn(Expr e, string symbol) => e switch
    {
        SymbolExpr s => s.Name == symbol,
        NegateExpr n => DependsOn(n.Operand, symbol),
        BinaryExpr b => DependsOn(b.Left, symbol) || DependsOn(b.Right, symbol),
        CallExpr c => AnyDependsOn(c.Arguments, symbol),
        _ => false,
    };

    private static bool AnyDependsOn(Model.EquatableArray<Expr> arguments, string symbol)
    {
        for (int j = 0; j < arguments.Count; j++)
        {
            if (DependsOn(arguments[j], symbol)) return true;
        }

        return false;
    }

    private sealed class State
    {
        private static readonly Expr Zero = new NumberExpr(0);
        private static readonly Expr One = new NumberExpr(1);
        private readonly string _symbol;
        private readonly bool _eventwise;

        public State(string symbol, bool eventwise)
        {
            _symbol = symbol;
            _eventwise = eventwise;
        }

        public string? Error { get; private set; }

        public SourceSpan ErrorSpan { get; private set; } = SourceSpan.None;

        public Expr Derive(Expr e)
        {
            if (!DependsOn(e, _symbol)) return Zero;
            switch (e)
            {
                case SymbolExpr:
                    return One;
                case NegateExpr n:
                    return new NegateExpr(Derive(n.Operand));
                case BinaryExpr b:
                    return DeriveBinary(b);
                case CallExpr c:
                    return DeriveCall(c);
                default:
                    return Zero;
            }
        }

        private Expr DeriveBinary(BinaryExpr b)
        {
            Expr u = b.Left;
            Expr v = b.Right;
            switch (b.Operator)
            {
                case BinaryOperator.Add:
                    return Add(Derive(u), Derive(v));
                case BinaryOperator.Subtract:
                    return Sub(Derive(u), Derive(v));
                case BinaryOperator.Multiply:
                    return Add(Mul(Derive(u), v), Mul(u, Derive(v)));
                case BinaryOperator.Divide:
                    // (u/v)' = u'/v - u*v'/v^2
                    return Sub(Div(Derive(u), v), Div(Mul(u, Derive(v)), Pow(v, new NumberExpr(2))));
                default:
                    if (!DependsOn(v, _symbol))
                    {
                        return Mul(Mul(v, Pow(u, Sub(v, One))), Derive(u));
                    }

                    // (u^v)' = u^v*(v'*log(u) + v*u'/u)
                    return Mul(b, Add(Mul(Derive(v), new CallExpr(FunctionKind.Log, u)), Div(Mul(v, Derive(u)), u)));
            }
        }

        private Expr DeriveCall(CallExpr call) =>
            FunctionCatalog.Get(call.Function).Derivative(new DerivativeSite(call, _symbol, _eventwise, Derive, message =>
            {
                if (Error is null)
                {
                    Error = message;
                    ErrorSpan = call.Span;
                }
            }));

        private static Expr Add(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Add, a, b);

        private static Expr Sub(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Subtract, a, b);

        private static Expr Mul(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Multiply, a, b);

        private static Expr Div(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Divide, a, b);

        private static Expr Pow(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Power, a, b);
    }
}
