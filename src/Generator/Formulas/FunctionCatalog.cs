using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using StochasticBackprop.Generator.Numerics;
using StochasticBackprop.Generator.Series;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>What a derivative rule may use: the call, the recursive derivative of a subexpression, and a way to refuse.</summary>
internal sealed class DerivativeSite
{
    private readonly Func<Expr, Expr> _derive;
    private readonly Action<string> _fail;

    public DerivativeSite(CallExpr call, string symbol, bool eventwise, Func<Expr, Expr> derive, Action<string> fail)
    {
        Call = call;
        Symbol = symbol;
        Eventwise = eventwise;
        _derive = derive;
        _fail = fail;
    }

    public CallExpr Call { get; }

    /// <summary>The parameter differentiated by.</summary>
    public string Symbol { get; }

    /// <summary>True for a per-element derivative by an event-axis parameter (see <see cref="Differentiator.Differentiate"/>).</summary>
    public bool Eventwise { get; }

    public Expr Derive(Expr e) => _derive(e);

    /// <summary>Records that there is no derivative in the language (the call is the node at fault); returns 0 to go on with.</summary>
    public Expr Fail(string message)
    {
        _fail(message);
        return new NumberExpr(0);
    }
}

/// <summary>
/// One function of the formula language, with everything each stage needs to know about it. Every column
/// is filled for every row: where a stage cannot handle the function, the row says why in words
/// (<see cref="NoScalarKernel"/>, <see cref="NoVectorKernel"/>) or its rule reports a located error.
/// </summary>
/// <param name="Kind">The enum member.</param>
/// <param name="Name">The name as written in formulas.</param>
/// <param name="Arity">The number of arguments.</param>
/// <param name="Signature">How the call reads, for messages: <c>polygamma(n, x)</c>.</param>
/// <param name="Description">What it computes, for documentation and messages.</param>
/// <param name="IntegerOrderArgument">The index of an argument that must be a non-negative integer literal (polygamma's order), or −1.</param>
/// <param name="Print">The printer column: the call from its printed arguments.</param>
/// <param name="Derivative">The derivative column: d/dθ of the call (the chain rule over every argument).</param>
/// <param name="Series">The series column: the call as a truncated power series in s = i·w.</param>
/// <param name="Tensor">The tensor-code column: TorchSharp (or <c>System.Math</c>) code of the call from its arguments' code.</param>
/// <param name="ScalarMethod">The scalar-kernel column: the per-sample <c>double</c> method of one argument, or null.</param>
/// <param name="NoScalarKernel">Why there is no <paramref name="ScalarMethod"/> (null when there is one).</param>
/// <param name="VectorMethod">The <c>Vector&lt;double&gt;</c> method of one argument, or null.</param>
/// <param name="NoVectorKernel">Why there is no <paramref name="VectorMethod"/> (null when there is one).</param>
/// <param name="Evaluate">The test-evaluator column: the value at numbers (real special functions need real arguments, else NaN).</param>
internal sealed record FunctionRow(
    FunctionKind Kind,
    string Name,
    int Arity,
    string Signature,
    string Description,
    int IntegerOrderArgument,
    Func<IReadOnlyList<string>, string> Print,
    Func<DerivativeSite, Expr> Derivative,
    Func<SeriesEvaluator, CallExpr, TruncatedSeries> Series,
    Func<TensorCodeWriter.CallSite, TensorCodeWriter.Fragment> Tensor,
    string? ScalarMethod,
    string? NoScalarKernel,
    string? VectorMethod,
    string? NoVectorKernel,
    Func<IReadOnlyList<Complex>, Complex> Evaluate);

/// <summary>
/// The formula language's functions, one <see cref="FunctionRow"/> each. Every stage (parser, printer,
/// simplifier, differentiator, series expander, tensor and scalar-kernel writers) looks a function up here
/// instead of switching over <see cref="FunctionKind"/>, so a function is added in one place and a missing
/// column is a compile error, not a silent default.
/// </summary>
internal static class FunctionCatalog
{
    private const string MathClass = "global::System.Math";
    private const string KernelClass = "global::StochasticBackprop.Kernel";
    private const string VectorClass = "global::System.Numerics.Vector";
    private const string NoSpecialInMath = "System.Math has no {0}; the tensor code serves instead.";

    /// <summary>The largest polygamma order a formula may write (the asymptotic series needs factorials that stay finite).</summary>
    public const int MaxPolygammaOrder = 30;

    // Built on use, never in the type initializer: building a node spends the symbolic budget, which may throw.
    private static Expr One => new NumberExpr(1);

    private static Expr Two => new NumberExpr(2);

    public static IReadOnlyList<FunctionRow> Rows { get; } = new[]
    {
        new FunctionRow(
            FunctionKind.Exp, "exp", 1, "exp(x)", "the exponential", -1, Call("exp"),
            Chain(c => c),
            (s, c) => s.ExpOf(c),
            TensorCodeWriter.Elementwise("exp", MathClass + ".Exp"),
            MathClass + ".Exp", null, VectorClass + ".Exp", null,
            a => Complex.Exp(a[0])),
        new FunctionRow(
            FunctionKind.Log, "log", 1, "log(x)", "the natural logarithm", -1, Call("log"),
            Chain(c => Div(One, c.Argument)),
            (s, c) => s.LogCall(c),
            TensorCodeWriter.Elementwise("log", MathClass + ".Log"),
            MathClass + ".Log", null, VectorClass + ".Log", null,
            a => Complex.Log(a[0])),
        new FunctionRow(
            FunctionKind.Log1p, "log1p", 1, "log1p(x)", "log(1 + x), accurate for small x", -1, Call("log1p"),
            Chain(c => Div(One, Add(One, c.Argument))),
            (s, c) => s.Log1pCall(c),
            TensorCodeWriter.Log1p,
            KernelClass + ".Log1p", null, null, "System.Numerics.Vector has no log1p.",
            a => Complex.Log(1 + a[0])),
        new FunctionRow(
            FunctionKind.Sqrt, "sqrt", 1, "sqrt(x)", "the square root", -1, Call("sqrt"),
            Chain(c => Div(One, Mul(Two, c))),
            (s, c) => s.SqrtCall(c),
            TensorCodeWriter.Elementwise("sqrt", MathClass + ".Sqrt"),
            MathClass + ".Sqrt", null, VectorClass + ".SquareRoot", null,
            a => Complex.Sqrt(a[0])),
        new FunctionRow(
            FunctionKind.Abs, "abs", 1, "abs(x)", "the absolute value", -1, Call("abs"),
            // sign(u), written u/abs(u): the language has no sign function. Undefined at u = 0.
            Chain(c => Div(c.Argument, c)),
            (s, c) => s.OpaqueOnly(c),
            TensorCodeWriter.Elementwise("abs", MathClass + ".Abs"),
            MathClass + ".Abs", null, VectorClass + ".Abs", null,
            a => a[0].Magnitude),
        new FunctionRow(
            FunctionKind.Lgamma, "lgamma", 1, "lgamma(x)", "log Γ(x)", -1, Call("lgamma"),
            Chain(c => new CallExpr(FunctionKind.Digamma, c.Argument)),
            (s, c) => s.PolygammaFamily(c, order: -1),
            TensorCodeWriter.Elementwise("lgamma", null),
            null, string.Format(NoSpecialInMath, "lgamma"), null, string.Format(NoSpecialInMath, "lgamma"),
            a => Real(a[0], SpecialFunctions.LogGamma)),
        new FunctionRow(
            FunctionKind.Digamma, "digamma", 1, "digamma(x)", "ψ(x), the derivative of lgamma", -1, Call("digamma"),
            Chain(c => Polygamma(1, c.Argument)),
            (s, c) => s.PolygammaFamily(c, order: 0),
            TensorCodeWriter.Elementwise("digamma", null),
            null, string.Format(NoSpecialInMath, "digamma"), null, string.Format(NoSpecialInMath, "digamma"),
            a => Real(a[0], SpecialFunctions.Digamma)),
        new FunctionRow(
            FunctionKind.Sigmoid, "sigmoid", 1, "sigmoid(x)", "1/(1 + exp(-x))", -1, Call("sigmoid"),
            Chain(c => Mul(c, Sub(One, c))),
            (s, c) => s.OpaqueOnly(c),
            TensorCodeWriter.Sigmoid,
            KernelClass + ".Sigmoid", null, null, "System.Numerics.Vector has no sigmoid.",
            a => 1 / (1 + Complex.Exp(-a[0]))),
        new FunctionRow(
            FunctionKind.Softplus, "softplus", 1, "softplus(x)", "log(1 + exp(x))", -1, Call("softplus"),
            Chain(c => new CallExpr(FunctionKind.Sigmoid, c.Argument)),
            (s, c) => s.OpaqueOnly(c),
            TensorCodeWriter.Softplus,
            KernelClass + ".Softplus", null, null, "System.Numerics.Vector has no softplus.",
            a => Complex.Log(1 + Complex.Exp(a[0]))),
        new FunctionRow(
            FunctionKind.Sum, "sum", 1, "sum(x)", "the sum over the event axis", -1, Call("sum"),
            d => d.Eventwise ? d.Derive(d.Call.Argument) : new CallExpr(FunctionKind.Sum, d.Derive(d.Call.Argument)),
            (s, c) => s.OpaqueOnly(c),
            TensorCodeWriter.Reduction,
            null, "A reduction over the event axis is not a per-sample operation.", null, "A reduction over the event axis is not a per-sample operation.",
            // One event element: the sum of one number is the number.
            a => a[0]),
        new FunctionRow(
            FunctionKind.Logsumexp, "logsumexp", 1, "logsumexp(x)", "log Σ exp over the event axis", -1, Call("logsumexp"),
            d =>
            {
                Expr weighted = Mul(new CallExpr(FunctionKind.Exp, Sub(d.Call.Argument, d.Call)), d.Derive(d.Call.Argument));
                return d.Eventwise ? weighted : new CallExpr(FunctionKind.Sum, weighted);
            },
            (s, c) => s.OpaqueOnly(c),
            TensorCodeWriter.Reduction,
            null, "A reduction over the event axis is not a per-sample operation.", null, "A reduction over the event axis is not a per-sample operation.",
            a => a[0]),
        new FunctionRow(
            FunctionKind.Sinh, "sinh", 1, "sinh(x)", "the hyperbolic sine", -1, Call("sinh"),
            Chain(c => new CallExpr(FunctionKind.Cosh, c.Argument)),
            (s, c) => s.ByDefinition(c, Div(Sub(new CallExpr(FunctionKind.Exp, c.Argument), new CallExpr(FunctionKind.Exp, new NegateExpr(c.Argument))), Two)),
            TensorCodeWriter.Elementwise("sinh", MathClass + ".Sinh"),
            MathClass + ".Sinh", null, null, "System.Numerics.Vector has no sinh.",
            a => Complex.Sinh(a[0])),
        new FunctionRow(
            FunctionKind.Cosh, "cosh", 1, "cosh(x)", "the hyperbolic cosine", -1, Call("cosh"),
            Chain(c => new CallExpr(FunctionKind.Sinh, c.Argument)),
            (s, c) => s.ByDefinition(c, Div(Add(new CallExpr(FunctionKind.Exp, c.Argument), new CallExpr(FunctionKind.Exp, new NegateExpr(c.Argument))), Two)),
            TensorCodeWriter.Elementwise("cosh", MathClass + ".Cosh"),
            MathClass + ".Cosh", null, null, "System.Numerics.Vector has no cosh.",
            a => Complex.Cosh(a[0])),
        new FunctionRow(
            FunctionKind.Tanh, "tanh", 1, "tanh(x)", "the hyperbolic tangent", -1, Call("tanh"),
            Chain(c => Sub(One, Pow(c, Two))),
            (s, c) => s.ByDefinition(c, Div(
                Sub(new CallExpr(FunctionKind.Exp, c.Argument), new CallExpr(FunctionKind.Exp, new NegateExpr(c.Argument))),
                Add(new CallExpr(FunctionKind.Exp, c.Argument), new CallExpr(FunctionKind.Exp, new NegateExpr(c.Argument))))),
            TensorCodeWriter.Elementwise("tanh", MathClass + ".Tanh"),
            MathClass + ".Tanh", null, null, "System.Numerics.Vector has no tanh.",
            a => Complex.Tanh(a[0])),
        new FunctionRow(
            FunctionKind.Tan, "tan", 1, "tan(x)", "the tangent", -1, Call("tan"),
            Chain(c => Add(One, Pow(c, Two))),
            (s, c) => s.TanCall(c),
            TensorCodeWriter.Elementwise("tan", MathClass + ".Tan"),
            MathClass + ".Tan", null, null, "System.Numerics.Vector has no tan.",
            a => Complex.Tan(a[0])),
        new FunctionRow(
            FunctionKind.Erf, "erf", 1, "erf(x)", "the error function 2/sqrt(pi)·∫₀ˣ exp(-t²) dt", -1, Call("erf"),
            Chain(c => Div(Mul(Two, new CallExpr(FunctionKind.Exp, new NegateExpr(Pow(c.Argument, Two)))), new CallExpr(FunctionKind.Sqrt, new PiExpr()))),
            (s, c) => s.ErfCall(c),
            TensorCodeWriter.Elementwise("erf", null),
            null, string.Format(NoSpecialInMath, "erf"), null, string.Format(NoSpecialInMath, "erf"),
            a => Real(a[0], SpecialFunctions.Erf)),
        new FunctionRow(
            FunctionKind.Lbeta, "lbeta", 2, "lbeta(a, b)", "log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)", -1, Call("lbeta"),
            d =>
            {
                Expr a = d.Call.Arguments[0], b = d.Call.Arguments[1];
                Expr both = new CallExpr(FunctionKind.Digamma, Add(a, b));
                return Add(
                    Mul(Sub(new CallExpr(FunctionKind.Digamma, a), both), d.Derive(a)),
                    Mul(Sub(new CallExpr(FunctionKind.Digamma, b), both), d.Derive(b)));
            },
            (s, c) => s.Evaluate(LbetaDefinition(c)),
            TensorCodeWriter.ByDefinition(LbetaDefinition),
            null, "lbeta has two arguments; the tensor code serves instead.", null, "lbeta has two arguments; the tensor code serves instead.",
            a => a[0].Imaginary == 0 && a[1].Imaginary == 0
                ? SpecialFunctions.LogGamma(a[0].Real) + SpecialFunctions.LogGamma(a[1].Real) - SpecialFunctions.LogGamma(a[0].Real + a[1].Real)
                : double.NaN),
        new FunctionRow(
            FunctionKind.Polygamma, "polygamma", 2, "polygamma(n, x)", "ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n a non-negative integer literal)", 0, Call("polygamma"),
            d => Differentiator.DependsOn(d.Call.Arguments[0], d.Symbol)
                ? d.Fail($"polygamma(n, x) is differentiable in x only; its order n cannot depend on '{d.Symbol}'.")
                : Mul(Polygamma(OrderOf(d.Call) + 1, d.Call.Arguments[1]), d.Derive(d.Call.Arguments[1])),
            (s, c) => s.PolygammaFamily(c, OrderOf(c)),
            TensorCodeWriter.Polygamma,
            null, string.Format(NoSpecialInMath, "polygamma"), null, string.Format(NoSpecialInMath, "polygamma"),
            a => a[0].Imaginary == 0 && a[1].Imaginary == 0 && a[0].Real == Math.Floor(a[0].Real)
                ? SpecialFunctions.Polygamma((int)a[0].Real, a[1].Real)
                : double.NaN),
    };

    public static IReadOnlyDictionary<string, FunctionKind> ByName { get; } = Rows.ToDictionary(r => r.Name, r => r.Kind, StringComparer.Ordinal);

    private static readonly Dictionary<FunctionKind, FunctionRow> ByKind = Rows.ToDictionary(r => r.Kind);

    /// <summary>The row of <paramref name="kind"/>; every enum member has one (a test checks it).</summary>
    public static FunctionRow Get(FunctionKind kind) => ByKind.TryGetValue(kind, out FunctionRow? row)
        ? row
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "The function catalog has no row for this function.");

    /// <summary>The names of the functions that may act on the frequency variable of a characteristic function, for messages.</summary>
    public static string ExpandableNames => string.Join(", ", Rows.Where(r => r.Kind is not (FunctionKind.Abs or FunctionKind.Sigmoid or FunctionKind.Softplus or FunctionKind.Sum or FunctionKind.Logsumexp)).Select(r => r.Name));

    /// <summary>polygamma(n, x) with ψ⁽⁰⁾ written digamma(x).</summary>
    public static Expr Polygamma(int order, Expr x) =>
        order == 0 ? new CallExpr(FunctionKind.Digamma, x) : new CallExpr(FunctionKind.Polygamma, new NumberExpr(order), x);

    /// <summary>The order literal of a polygamma call (the parser guarantees a non-negative integer).</summary>
    public static int OrderOf(CallExpr polygamma) => polygamma.Arguments[0] is NumberExpr { Value: var n } ? (int)n : 0;

    private static Expr LbetaDefinition(CallExpr call) =>
        Sub(
            Add(new CallExpr(FunctionKind.Lgamma, call.Arguments[0]), new CallExpr(FunctionKind.Lgamma, call.Arguments[1])),
            new CallExpr(FunctionKind.Lgamma, Add(call.Arguments[0], call.Arguments[1])));

    private static Func<IReadOnlyList<string>, string> Call(string name) => arguments => name + "(" + string.Join(", ", arguments) + ")";

    /// <summary>The chain rule for a function of one argument: f'(u)·u'.</summary>
    private static Func<DerivativeSite, Expr> Chain(Func<CallExpr, Expr> outer) => d => Mul(outer(d.Call), d.Derive(d.Call.Argument));

    private static Complex Real(Complex x, Func<double, double> f) => x.Imaginary == 0 ? f(x.Real) : double.NaN;

    private static Expr Add(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Add, a, b);

    private static Expr Sub(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Subtract, a, b);

    private static Expr Mul(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Multiply, a, b);

    private static Expr Div(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Divide, a, b);

    private static Expr Pow(Expr a, Expr b) => new BinaryExpr(BinaryOperator.Power, a, b);
}
