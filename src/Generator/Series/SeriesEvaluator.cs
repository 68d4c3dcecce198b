using System;
using System.Linq;
using System.Numerics;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Numerics;

namespace StochasticBackprop.Generator.Series;

/// <summary>
/// Turns a formula into a truncated power series in s = i·w (w = −i·s). s-free subexpressions become
/// constant series over atoms; log is taken structurally where it can be (log of products,
/// quotients, powers and exp), which keeps the constant terms cancelling symbolically.
/// </summary>
internal sealed class SeriesEvaluator
{
    private const int MaxIntegerExponent = 1024;

    private readonly string _frequencyVariable;
    /// <summary>How many extra orders a removable 0/0 at w = 0 may need (the divisor's leading power of w).</summary>
    private const int MaxCancelledPower = 8;

    private int _order;

    private readonly Func<FunctionKind, FunctionRow> _catalog;

    /// <param name="frequencyVariable">The variable w.</param>
    /// <param name="order">The last power of s kept.</param>
    /// <param name="catalog">Where the series rules come from: <see cref="FunctionCatalog.Get"/>, or (tests) a catalog with a row changed.</param>
    public SeriesEvaluator(string frequencyVariable, int order, Func<FunctionKind, FunctionRow>? catalog = null)
    {
        _frequencyVariable = frequencyVariable;
        _order = order;
        _catalog = catalog ?? FunctionCatalog.Get;
    }

    public AtomTable Atoms { get; } = new();

    /// <summary>The node being worked on, for errors raised deep inside the arithmetic.</summary>
    public SourceSpan CurrentSpan { get; private set; } = SourceSpan.None;

    public TruncatedSeries Evaluate(Expr expr) => WithCurrentSpan(expr, () => EvaluateNode(expr));

    /// <summary>
    /// log of <paramref name="expr"/> as a series. <paramref name="explicitLog"/> is the span of the
    /// <c>log(…)</c> call when the formula wrote one (errors point at it), null for the implicit log of φ.
    /// </summary>
    public TruncatedSeries LogOf(Expr expr, SourceSpan? explicitLog) => WithCurrentSpan(expr, () => LogOfNode(expr, explicitLog));

    /// <summary>Runs <paramref name="work"/> with <see cref="CurrentSpan"/> at <paramref name="expr"/>.</summary>
    /// <remarks>No try/finally on purpose: when <paramref name="work"/> throws, the span of the innermost node stays for the error.</remarks>
    private TruncatedSeries WithCurrentSpan(Expr expr, Func<TruncatedSeries> work)
    {
        var outer = CurrentSpan;
        CurrentSpan = expr.Span;
        var result = work();
        CurrentSpan = outer;
        return result;
    }

    private TruncatedSeries EvaluateNode(Expr expr)
    {
        switch (expr)
        {
            case NumberExpr number:
                if (!Rational.TryFromDouble(number.Value, out var value))
                {
                    throw Fail(SeriesErrorKind.TooComplex, expr.Span, DiagnosticDescriptors.UnsupportedInExpansion_NumberNotFinite);
                }

                return Constant(Polynomial.Constant(value));
            case ImaginaryUnitExpr:
                return Constant(Polynomial.Constant(ComplexRational.I));
            case PiExpr:
                return Constant(Polynomial.Atom(Atoms.Intern(AtomKind.Pi, new PiExpr())));
            case SymbolExpr symbol when string.Equals(symbol.Name, _frequencyVariable, StringComparison.Ordinal):
                return TruncatedSeries.Linear(-ComplexRational.I, _order);
            case SymbolExpr symbol:
                return Constant(Polynomial.Atom(Atoms.Intern(AtomKind.Symbol, new SymbolExpr(symbol.Name))));
            case NegateExpr negate:
                return -Evaluate(negate.Operand);
            case BinaryExpr binary:
                return EvaluateBinary(binary);
            case CallExpr call:
                return EvaluateCall(call);
            default:
                throw Fail(SeriesErrorKind.UnsupportedFunction, expr.Span, DiagnosticDescriptors.UnsupportedInExpansion_Expression);
        }
    }

    private TruncatedSeries EvaluateBinary(BinaryExpr binary)
    {
        switch (binary.Operator)
        {
            case BinaryOperator.Add:
                return Evaluate(binary.Left) + Evaluate(binary.Right);
            case BinaryOperator.Subtract:
                return Evaluate(binary.Left) - Evaluate(binary.Right);
            case BinaryOperator.Multiply:
                return Evaluate(binary.Left) * Evaluate(binary.Right);
            case BinaryOperator.Divide:
                var numerator = Evaluate(binary.Left);
                var denominator = Evaluate(binary.Right);
                return denominator.ConstantTerm.IsZero && numerator.ConstantTerm.IsZero
                    ? RemovableQuotient(binary)
                    : numerator * Inverse(denominator, binary);
            default:
                return Power(binary);
        }
    }

    private TruncatedSeries EvaluateCall(CallExpr call) => _catalog(call.Function).Series(this, call);

    // ---- the catalog's series rules ---------------------------------------------------------

    internal TruncatedSeries ExpOf(CallExpr call) => Exp(Evaluate(call.Argument));

    internal TruncatedSeries LogCall(CallExpr call) => LogOf(call.Argument, call.Span);

    internal TruncatedSeries Log1pCall(CallExpr call) => Log(Constant(Polynomial.One) + Evaluate(call.Argument), call);

    internal TruncatedSeries SqrtCall(CallExpr call) => NonIntegerPower(Evaluate(call.Argument), Polynomial.Constant(Rational.Create(1, 2)), call);

    /// <summary>A function with no series rule: an opaque atom of w-free arguments, refused (with the reason) of an expression in w.</summary>
    internal TruncatedSeries OpaqueOnly(CallExpr call)
    {
        var arguments = call.Arguments.Select(Evaluate).ToArray();
        if (arguments.All(a => a.IsConstant)) return Constant(OpaqueFunction(call.Function, arguments.Select(a => a.ConstantTerm).ToArray()));
        string name = FunctionNames.NameOf(call.Function);
        if (call.Function == FunctionKind.Abs && arguments[0].ConstantTerm.IsZero)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, call.Span, DiagnosticDescriptors.NotAnalyticAtZero_AbsoluteValue, FormulaPrinter.Print(call.Argument), _frequencyVariable);
        }

        throw Fail(SeriesErrorKind.UnsupportedFunction, call.Span, DiagnosticDescriptors.UnsupportedInExpansion_Function, name, _frequencyVariable, FunctionCatalog.ExpandableNames);
    }

    /// <summary>
    /// An opaque atom of w-free arguments (of numbers, the definition, so that cosh(0) is 1); of an expression in w,
    /// the series of <paramref name="definition"/> (the function written in others).
    /// </summary>
    internal TruncatedSeries ByDefinition(CallExpr call, Expr definition)
    {
        var arguments = call.Arguments.Select(Evaluate).ToArray();
        bool numbers = arguments.All(a => a.ConstantTerm.TryGetConstant(out _));
        var atZero = numbers ? null : OpaqueFunction(call.Function, arguments.Select(a => a.ConstantTerm).ToArray());
        if (atZero is not null && arguments.All(a => a.IsConstant)) return Constant(atZero);
        var series = Evaluate(definition with { Span = call.Span });

        // The definition's value at w = 0 (exp(x)/2 − exp(−x)/2) is the same number as the atom sinh(x) that the
        // w-free call makes; the atom is kept, so that f(x + i·w) − f(x) vanishes at w = 0 symbolically.
        return atZero is null ? series : series.WithConstantTerm(atZero);
    }

    /// <summary>
    /// lgamma (<paramref name="order"/> = −1), digamma (0) or polygamma(order, ·) of g = g0 + h(s): the Taylor series
    /// Σ ψ^(order+n)(g0) hⁿ/n!, whose coefficients are polygamma atoms of the s-free g0 (lgamma(k + i·w) = lgamma(k) +
    /// Σ ψ^(n−1)(k) sⁿ/n!).
    /// </summary>
    internal TruncatedSeries PolygammaFamily(CallExpr call, int order)
    {
        Expr x = call.Arguments[call.Arguments.Count - 1];
        var g = Evaluate(x);
        var g0 = g.ConstantTerm;
        if (g0.TryGetConstant(out var number) && number.IsReal && number.Real.IsInteger && number.Real.Sign <= 0)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, call.Span, DiagnosticDescriptors.NotAnalyticAtZero_Pole, FunctionNames.NameOf(call.Function), FormulaPrinter.Print(x), number.ToString(), _frequencyVariable);
        }

        Polynomial At(int n) => OpaqueFunction(order + n < 0 ? FunctionKind.Lgamma : order + n == 0 ? FunctionKind.Digamma : FunctionKind.Polygamma, PolygammaArguments(order + n, g0));
        if (g.IsConstant) return Constant(At(0));
        return TruncatedSeries.Taylor(g.WithConstantTerm(Polynomial.Zero), At);
    }

    private static Polynomial[] PolygammaArguments(int order, Polynomial x) =>
        order <= 0 ? new[] { x } : new[] { Polynomial.Constant(ComplexRational.FromInteger(order)), x };

    /// <summary>
    /// tan(g) from its differential equation T′ = (1 + T²)·g′, coefficient by coefficient from T(0) = tan(g0): real
    /// coefficients in the atom tan(g0), where the definition through exp(±i·g) would leave complex exponentials.
    /// </summary>
    internal TruncatedSeries TanCall(CallExpr call)
    {
        var g = Evaluate(call.Argument);
        var g0 = g.ConstantTerm;
        var t0 = g0.IsZero ? Polynomial.Zero : OpaqueFunction(FunctionKind.Tan, new[] { g0 });
        if (g.IsConstant) return Constant(t0);
        var dg = g.Derivative();
        var t = new Polynomial[_order + 1];
        var q = new Polynomial[_order + 1];
        t[0] = t0;
        for (int n = 0; n < _order; n++)
        {
            // q_n = [sⁿ](1 + T²), from t_0..t_n.
            var square = Polynomial.Zero;
            for (int a = 0; a <= n; a++) square += t[a] * t[n - a];
            q[n] = n == 0 ? Polynomial.One + square : square;
            var sum = Polynomial.Zero;
            for (int j = 0; j <= n; j++) sum += q[j] * dg[n - j];
            t[n + 1] = Rational.Create(1, n + 1) * sum;
        }

        var series = Constant(Polynomial.Zero);
        for (int n = 0; n <= _order; n++) series += TruncatedSeries.Monomial(t[n], n, _order);
        return series;
    }

    /// <summary>erf(g) = erf(g0) + ∫ (2/√π)·exp(−g²)·g′ ds.</summary>
    internal TruncatedSeries ErfCall(CallExpr call)
    {
        var g = Evaluate(call.Argument);
        var erfAtZero = g.ConstantTerm.IsZero ? Polynomial.Zero : OpaqueFunction(FunctionKind.Erf, new[] { g.ConstantTerm });
        if (g.IsConstant) return Constant(erfAtZero);
        var sqrtPi = PowerOfConstant(Polynomial.Atom(Atoms.Intern(AtomKind.Pi, new PiExpr())), Polynomial.Constant(Rational.Create(1, 2)));
        var density = Exp(-(g * g)).Scale(ComplexRational.FromInteger(2) * InverseOfConstant(sqrtPi));
        return (density * g.Derivative()).Integrate(erfAtZero);
    }

    /// <summary>
    /// a/d where both vanish at w = 0: d = s^m·d′ with d′(0) ≠ 0 (m ≤ <see cref="MaxCancelledPower"/>), so a and d are
    /// expanded m orders further, s^m cancelled (a must vanish to order m too, or the quotient has a pole), and the
    /// series divided: the uniform's (exp(i·b·w) − exp(i·a·w))/(i·(b − a)·w).
    /// </summary>
    private TruncatedSeries RemovableQuotient(BinaryExpr quotient)
    {
        int cancelled = WithOrder(_order + MaxCancelledPower, () => Evaluate(quotient.Right)).LeadingPower;
        if (cancelled < 0)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, quotient.Span, DiagnosticDescriptors.NotAnalyticAtZero_DivisorVanishesTooFast, FormulaPrinter.Print(quotient.Right), _frequencyVariable, _order + MaxCancelledPower);
        }

        int order = _order;
        var numerator = WithOrder(order + cancelled, () => Evaluate(quotient.Left));
        var denominator = WithOrder(order + cancelled, () => Evaluate(quotient.Right));
        int vanishing = numerator.LeadingPower;
        if (vanishing >= 0 && vanishing < cancelled)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, quotient.Span, DiagnosticDescriptors.NotAnalyticAtZero_QuotientPole, FormulaPrinter.Print(quotient.Right), _frequencyVariable, cancelled, FormulaPrinter.Print(quotient.Left), vanishing);
        }

        var top = numerator.DropLeading(cancelled);
        var bottom = denominator.DropLeading(cancelled);
        return top.DivideBy(bottom, InverseOfConstant(bottom.ConstantTerm));
    }

    private TruncatedSeries WithOrder(int order, Func<TruncatedSeries> work)
    {
        int outer = _order;
        _order = order;
        var result = work();
        _order = outer;
        return result;
    }

    private bool VanishesAtZero(Expr expr)
    {
        try
        {
            return WithOrder(0, () => Evaluate(expr)).ConstantTerm.IsZero;
        }
        catch (SeriesFailure)
        {
            return false;
        }
    }

    private TruncatedSeries LogOfNode(Expr expr, SourceSpan? explicitLog)
    {
        switch (expr)
        {
            case BinaryExpr { Operator: BinaryOperator.Multiply } product:
                return LogOf(product.Left, explicitLog) + LogOf(product.Right, explicitLog);
            case BinaryExpr { Operator: BinaryOperator.Divide } quotient when VanishesAtZero(quotient.Right):
                // A removable 0/0: the quotient's own series, then its log.
                var removable = Evaluate(quotient);
                if (removable.ConstantTerm.IsZero)
                {
                    throw Fail(SeriesErrorKind.NotAnalyticAtZero, explicitLog ?? quotient.Span, DiagnosticDescriptors.NotAnalyticAtZero_LogOfVanishingQuotient, FormulaPrinter.Print(quotient), _frequencyVariable);
                }

                return LogOfNonVanishing(removable);
            case BinaryExpr { Operator: BinaryOperator.Divide } quotient:
                return LogOf(quotient.Left, explicitLog) - LogOf(quotient.Right, explicitLog);
            case BinaryExpr { Operator: BinaryOperator.Power } power:
                var exponent = Evaluate(power.Right);
                if (exponent.IsConstant && exponent.ConstantTerm.IsZero) return Constant(Polynomial.Zero);
                var logOfBase = LogOf(power.Left, explicitLog);
                return exponent.IsConstant ? logOfBase.Scale(exponent.ConstantTerm) : exponent * logOfBase;
            case NegateExpr negate:
                return LogOf(negate.Operand, explicitLog) + Constant(IPi(Rational.One));
            case CallExpr { Function: FunctionKind.Exp } exp:
                return Evaluate(exp.Argument);
            case CallExpr { Function: FunctionKind.Sqrt } sqrt:
                return LogOf(sqrt.Argument, explicitLog).Scale(Polynomial.Constant(Rational.Create(1, 2)));
            default:
                var value = Evaluate(expr);
                if (value.ConstantTerm.IsZero)
                {
                    throw Fail(
                        SeriesErrorKind.NotAnalyticAtZero,
                        explicitLog ?? expr.Span,
                        explicitLog is null ? DiagnosticDescriptors.NotAnalyticAtZero_VanishingFactor : DiagnosticDescriptors.NotAnalyticAtZero_LogOfVanishingArgument,
                        FormulaPrinter.Print(expr),
                        _frequencyVariable);
                }

                return LogOfNonVanishing(value);
        }
    }

    private TruncatedSeries Log(TruncatedSeries value, CallExpr site)
    {
        if (value.ConstantTerm.IsZero)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, site.Span, DiagnosticDescriptors.NotAnalyticAtZero_LogOfZero, FunctionNames.NameOf(site.Function), _frequencyVariable);
        }

        return LogOfNonVanishing(value);
    }

    private TruncatedSeries LogOfNonVanishing(TruncatedSeries value) =>
        value.IsConstant
            ? Constant(LogOfConstant(value.ConstantTerm))
            : value.Log(LogOfConstant(value.ConstantTerm), InverseOfConstant(value.ConstantTerm));

    private TruncatedSeries Exp(TruncatedSeries argument) =>
        argument.IsConstant ? Constant(ExpOfConstant(argument.ConstantTerm)) : argument.Exp(ExpOfConstant(argument.ConstantTerm));

    private TruncatedSeries Inverse(TruncatedSeries denominator, BinaryExpr site)
    {
        if (denominator.ConstantTerm.IsZero)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, site.Span, DiagnosticDescriptors.NotAnalyticAtZero_DivisorVanishes, FormulaPrinter.Print(site.Right), _frequencyVariable);
        }

        var inverse = InverseOfConstant(denominator.ConstantTerm);
        return denominator.IsConstant ? Constant(inverse) : denominator.Inverse(inverse);
    }

    private TruncatedSeries Power(BinaryExpr power)
    {
        var exponent = Evaluate(power.Right);
        if (!exponent.IsConstant) return Exp(exponent * LogOf(power.Left, power.Span));
        var baseSeries = Evaluate(power.Left);
        var c = exponent.ConstantTerm;
        if (c.TryGetRealInteger(out int n))
        {
            if (Math.Abs((long)n) > MaxIntegerExponent)
            {
                throw Fail(SeriesErrorKind.TooComplex, power.Span, DiagnosticDescriptors.UnsupportedInExpansion_ExponentTooLarge, n, MaxIntegerExponent);
            }

            var positiveBase = n >= 0 ? baseSeries : Inverse(baseSeries, power);
            int magnitude = Math.Abs(n);
            return positiveBase.IsConstant ? Constant(positiveBase.ConstantTerm.Power(magnitude)) : positiveBase.Power(magnitude);
        }

        return NonIntegerPower(baseSeries, c, power);
    }

    private TruncatedSeries NonIntegerPower(TruncatedSeries baseSeries, Polynomial exponent, Expr site)
    {
        var g0 = baseSeries.ConstantTerm;
        if (g0.IsZero)
        {
            throw Fail(SeriesErrorKind.NotAnalyticAtZero, site.Span, DiagnosticDescriptors.NotAnalyticAtZero_NonIntegerPowerOfVanishing, FormulaPrinter.Print(site), _frequencyVariable);
        }

        var powerOfConstant = PowerOfConstant(g0, exponent);
        return baseSeries.IsConstant ? Constant(powerOfConstant) : baseSeries.Power(exponent, powerOfConstant, InverseOfConstant(g0));
    }

    // ---- s-free constants -------------------------------------------------------------------

    /// <summary>1/P for a nonzero s-free P: exact for one term, else the atom (P)^-1.</summary>
    private Polynomial InverseOfConstant(Polynomial value)
    {
        if (value.TryGetSingleTerm(out var coefficient, out var monomial))
        {
            return Polynomial.Term(ComplexRational.One / coefficient, monomial.Power(-1));
        }

        return Polynomial.Atom(Atoms.Intern(AtomKind.Sum, Atoms.ToExpr(value), content: value, isReal: Atoms.IsReal(value)), -1);
    }

    private Polynomial IntegerPowerOfConstant(Polynomial value, int exponent) =>
        exponent >= 0 ? value.Power(exponent) : InverseOfConstant(value).Power(-exponent);

    /// <summary>P^c for a nonzero s-free P and a non-integer (or symbolic) c.</summary>
    private Polynomial PowerOfConstant(Polynomial value, Polynomial exponent)
    {
        if (value.IsOne) return Polynomial.One;
        if (exponent.TryGetRealInteger(out int n) && Math.Abs((long)n) <= MaxIntegerExponent) return IntegerPowerOfConstant(value, n);
        bool isSquareRoot = exponent.TryGetConstant(out var constant) && constant.Equals((ComplexRational)Rational.Create(1, 2));
        Expr display = isSquareRoot
            ? new CallExpr(FunctionKind.Sqrt, Atoms.ToExpr(value))
            : new BinaryExpr(BinaryOperator.Power, Atoms.ToExpr(value), Atoms.ToExpr(exponent));
        return Polynomial.Atom(Atoms.Intern(AtomKind.Power, display, value, exponent, Atoms.IsReal(value) && Atoms.IsReal(exponent)));
    }

    /// <summary>log P for a nonzero s-free P, split over the factors of a single term.</summary>
    private Polynomial LogOfConstant(Polynomial value)
    {
        if (!value.TryGetSingleTerm(out var coefficient, out var monomial))
        {
            return Polynomial.Atom(Atoms.Intern(AtomKind.Log, new CallExpr(FunctionKind.Log, Atoms.ToExpr(value)), value, isReal: Atoms.IsReal(value)));
        }

        var log = LogOfCoefficient(coefficient);
        for (int j = 0; j < monomial.FactorCount; j++)
        {
            log += ComplexRational.FromInteger(monomial.ExponentAt(j)) * LogOfAtom(monomial.AtomAt(j));
        }

        return log;
    }

    private Polynomial LogOfAtom(int id)
    {
        var atom = Atoms[id];
        switch (atom.Kind)
        {
            case AtomKind.Exp:
                return atom.Content!;
            case AtomKind.Power:
                return atom.Exponent! * LogOfConstant(atom.Content!);
            case AtomKind.Sum:
                return LogOfConstant(atom.Content!);
            default:
                return Polynomial.Atom(Atoms.Intern(AtomKind.Log, new CallExpr(FunctionKind.Log, atom.Display), Polynomial.Atom(id), isReal: atom.IsReal));
        }
    }

    private Polynomial LogOfCoefficient(ComplexRational coefficient)
    {
        if (coefficient.IsReal)
        {
            var real = coefficient.Real;
            var log = LogOfPositive(real.Abs());
            return real.Sign < 0 ? log + IPi(Rational.One) : log;
        }

        if (coefficient.Real.IsZero)
        {
            var imaginary = coefficient.Imaginary;
            return LogOfPositive(imaginary.Abs()) + IPi(Rational.Create(imaginary.Sign, 2));
        }

        var number = Polynomial.Constant(coefficient);
        return Polynomial.Atom(Atoms.Intern(AtomKind.Log, new CallExpr(FunctionKind.Log, Atoms.ToExpr(number)), number, isReal: false));
    }

    private Polynomial LogOfPositive(Rational value) => LogOfInteger(value.Numerator) - LogOfInteger(value.Denominator);

    private Polynomial LogOfInteger(BigInteger value)
    {
        if (value.IsOne) return Polynomial.Zero;
        return Polynomial.Atom(Atoms.Intern(AtomKind.Log, new CallExpr(FunctionKind.Log, AtomTable.Number(value)), Polynomial.Constant(ComplexRational.FromInteger(value))));
    }

    private Polynomial IPi(Rational multiple) =>
        Polynomial.Term(new ComplexRational(Rational.Zero, multiple), Monomial.Atom(Atoms.Intern(AtomKind.Pi, new PiExpr())));

    /// <summary>exp X for an s-free X: one factor per term, exp(n·log P) = P^n and exp(i·π·q) folded.</summary>
    private Polynomial ExpOfConstant(Polynomial value)
    {
        var result = Polynomial.One;
        foreach (var term in value.Terms)
        {
            if (!term.Value.Real.IsZero) result *= ExpOfTerm(term.Value.Real, imaginary: false, term.Key);
            if (!term.Value.Imaginary.IsZero) result *= ExpOfTerm(term.Value.Imaginary, imaginary: true, term.Key);
        }

        return result;
    }

    private Polynomial ExpOfTerm(Rational coefficient, bool imaginary, Monomial monomial)
    {
        bool single = monomial.FactorCount == 1 && monomial.ExponentAt(0) == 1;
        if (single && !imaginary && coefficient.IsInteger && Atoms[monomial.AtomAt(0)].Kind == AtomKind.Log
            && BigInteger.Abs(coefficient.Numerator) <= MaxIntegerExponent)
        {
            return IntegerPowerOfConstant(Atoms[monomial.AtomAt(0)].Content!, (int)coefficient.Numerator);
        }

        if (single && imaginary && Atoms[monomial.AtomAt(0)].Kind == AtomKind.Pi)
        {
            var twice = coefficient * Rational.FromInteger(2);
            if (twice.IsInteger)
            {
                int quarterTurns = (int)(((twice.Numerator % 4) + 4) % 4);
                return Polynomial.Constant(quarterTurns switch
                {
                    0 => ComplexRational.One,
                    1 => ComplexRational.I,
                    2 => -ComplexRational.One,
                    _ => -ComplexRational.I,
                });
            }
        }

        // exp(−X) is stored as exp(X)^-1 so that exp(X)·exp(−X) cancels.
        var magnitude = coefficient.Abs();
        var content = Polynomial.Term(imaginary ? new ComplexRational(Rational.Zero, magnitude) : magnitude, monomial);
        int id = Atoms.Intern(AtomKind.Exp, new CallExpr(FunctionKind.Exp, Atoms.ToExpr(content)), content, isReal: !imaginary && Atoms.AtomsAreReal(monomial));
        return Polynomial.Atom(id, coefficient.Sign < 0 ? -1 : 1);
    }

    private Polynomial OpaqueFunction(FunctionKind function, Polynomial[] arguments)
    {
        if (function == FunctionKind.Abs && arguments[0].TryGetConstant(out var number) && number.IsReal)
        {
            return Polynomial.Constant(number.Real.Abs());
        }

        bool isReal = function == FunctionKind.Abs || arguments.All(Atoms.IsReal);
        var display = new CallExpr(function, arguments.Select(Atoms.ToExpr).ToArray());
        return Polynomial.Atom(Atoms.Intern(AtomKind.Function, display, arguments[arguments.Length - 1], isReal: isReal));
    }

    private TruncatedSeries Constant(Polynomial value) => TruncatedSeries.Constant(value, _order);

    private static SeriesFailure Fail(SeriesErrorKind kind, SourceSpan span, DiagnosticDescriptor descriptor, params object[] arguments)
        => new(new SeriesError(kind, descriptor, span, arguments));
}
