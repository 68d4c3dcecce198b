using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Series;

namespace StochasticBackprop.Generator.Analysis;

/// <summary>
/// K(s) = log E[e^{s z}] as a real formula in s, or why there is none.
/// </summary>
/// <param name="Value">K(s), simplified; null when <paramref name="Failure"/> says why not.</param>
/// <param name="Conditions">
/// What the formula needs to be real at s, printed (<c>1 - theta*s &gt; 0</c>): the arguments of its
/// logarithms and square roots and the bases of its non-integer powers that depend on s. Where one fails
/// the formula is NaN or infinite; empty when the formula is finite for every s.
/// </param>
internal sealed record CumulantGeneratingFunctionResult(Expr? Value, IReadOnlyList<string> Conditions, string? Failure)
{
    public static CumulantGeneratingFunctionResult Failed(string reason) => new(null, Array.Empty<string>(), reason);
}

/// <summary>
/// Derives the cumulant generating function from a characteristic function: K(s) = log φ(−i·s).
/// </summary>
/// <remarks>
/// <para>
/// w = −i·s is substituted and the result simplified with exact complex rationals (i·i = −1). When no
/// <c>i</c> is left the formula is real for real s. Of φ (not log φ) the logarithm is then taken
/// structurally: log exp(x) = x, and the log of a product, quotient or power splits into logs of its
/// factors, but only factors that are provably positive at s = 0 for every parameter value (a positive
/// number, a Positive parameter, exp(…), sums and products of those). Such a factor stays positive on
/// the whole interval around 0 where E e^{sz} is finite (a zero there would make E e^{sz} zero or
/// infinite), so the split is exact there, and beyond it the split logs turn NaN where the unsplit form
/// could have been a finite, meaningless number: (1 − θs)^(−2) is positive for every s ≠ 1/θ, its log
/// −2·log(1 − θs) is NaN past the pole.
/// </para>
/// <para>
/// As a guard against a wrong number, K(i·w) is expanded again as a log characteristic function and
/// its cumulants must equal those of the declared formula (exactly, after simplification); otherwise
/// the derivation is refused. Never throws.
/// </para>
/// </remarks>
internal static class CumulantGeneratingFunctionDeriver
{
    /// <summary>How many cumulants the guard compares: enough to catch a wrong branch or sign, cheap to expand.</summary>
    private const int CheckedOrder = 6;

    private const string SortsLast = "\uFFFF";

    /// <param name="formula">φ(w) or log φ(w), parsed.</param>
    /// <param name="isLogForm">True for log φ.</param>
    /// <param name="frequencyVariable">w.</param>
    /// <param name="variable">The name s takes in the result (not a parameter's name).</param>
    /// <param name="isPositive">Whether a parameter is declared Positive.</param>
    /// <param name="order">The cumulant order to check up to (at most <see cref="CheckedOrder"/> are compared).</param>
    public static CumulantGeneratingFunctionResult Derive(Expr formula, bool isLogForm, string frequencyVariable, string variable, Func<string, bool> isPositive, int order)
    {
        try
        {
            return DeriveUnchecked(formula, isLogForm, frequencyVariable, variable, isPositive, order);
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            return CumulantGeneratingFunctionResult.Failed($"the derivation failed unexpectedly ({unexpected.GetType().Name}: {unexpected.Message})");
        }
    }

    private static CumulantGeneratingFunctionResult DeriveUnchecked(Expr formula, bool isLogForm, string frequencyVariable, string shownVariable, Func<string, bool> isPositive, int order)
    {
        // The simplifier orders factors by name; a name that sorts last keeps s after the parameters
        // (theta*s, as papers write it). It becomes s again only in the result, after all simplification.
        string variable = SortsLast + shownVariable;
        Expr Shown(Expr e) => Substitution.Substitute(e, variable, new SymbolExpr(shownVariable));
        var s = new SymbolExpr(variable);
        var i = new ImaginaryUnitExpr();
        Expr atMinusIs = Substitution.Substitute(formula, frequencyVariable, new NegateExpr(new BinaryExpr(BinaryOperator.Multiply, i, s)));
        Expr simplified = Simplifier.Simplify(atMinusIs);
        string what = isLogForm ? "log φ(-i*s)" : "φ(-i*s)";
        if (Substitution.ContainsImaginaryUnit(simplified))
        {
            return CumulantGeneratingFunctionResult.Failed($"{what} simplifies to {FormulaPrinter.Print(Shown(simplified))}, which still contains i, so it is not evidently real");
        }

        Expr k = isLogForm ? simplified : Simplifier.Simplify(LogOf(simplified, variable, isPositive));
        if (Substitution.ContainsImaginaryUnit(k))
        {
            return CumulantGeneratingFunctionResult.Failed($"log φ(-i*s) simplifies to {FormulaPrinter.Print(Shown(k))}, which still contains i");
        }
        if (!ReproducesCumulants(formula, isLogForm, frequencyVariable, k, variable, order))
        {
            return CumulantGeneratingFunctionResult.Failed($"K(s) = {FormulaPrinter.Print(Shown(k))} could not be confirmed to reproduce the declared formula's cumulants");
        }
        return new CumulantGeneratingFunctionResult(Shown(k), Conditions(k, variable).Select(c => FormulaPrinter.Print(Shown(c.Argument)) + c.Relation).Distinct(StringComparer.Ordinal).ToList(), null);
    }

    /// <summary>log m for a real, simplified m: structurally where the factors allow it (see the remarks), else log(m).</summary>
    private static Expr LogOf(Expr m, string variable, Func<string, bool> isPositive)
    {
        bool Positive(Expr factor) => IsPositiveAtZero(factor, variable, isPositive);
        switch (m)
        {
            case CallExpr { Function: FunctionKind.Exp } exp:
                return exp.Argument;
            case BinaryExpr { Operator: BinaryOperator.Multiply } product when Positive(product.Left) && Positive(product.Right):
                return new BinaryExpr(BinaryOperator.Add, LogOf(product.Left, variable, isPositive), LogOf(product.Right, variable, isPositive));
            case BinaryExpr { Operator: BinaryOperator.Divide } quotient when Positive(quotient.Left) && Positive(quotient.Right):
                return new BinaryExpr(BinaryOperator.Subtract, LogOf(quotient.Left, variable, isPositive), LogOf(quotient.Right, variable, isPositive));
            case BinaryExpr { Operator: BinaryOperator.Power } power when Positive(power.Left):
                return new BinaryExpr(BinaryOperator.Multiply, power.Right, LogOf(power.Left, variable, isPositive));
            default:
                return new CallExpr(FunctionKind.Log, m);
        }
    }

    private static bool IsPositiveAtZero(Expr factor, string variable, Func<string, bool> isPositive)
        => IsProvablyPositive(Simplifier.Simplify(Substitution.Substitute(factor, variable, new NumberExpr(0))), isPositive);

    /// <summary>Positive for every value of the parameters in their declared domains, by the form alone.</summary>
    private static bool IsProvablyPositive(Expr e, Func<string, bool> isPositive) => e switch
    {
        NumberExpr number => number.Value > 0,
        PiExpr => true,
        SymbolExpr symbol => isPositive(symbol.Name),
        CallExpr { Function: FunctionKind.Exp or FunctionKind.Sigmoid or FunctionKind.Softplus } => true,
        CallExpr { Function: FunctionKind.Sqrt } root => IsProvablyPositive(root.Argument, isPositive),
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Multiply or BinaryOperator.Divide } b
            => IsProvablyPositive(b.Left, isPositive) && IsProvablyPositive(b.Right, isPositive),
        BinaryExpr { Operator: BinaryOperator.Power } power => IsProvablyPositive(power.Left, isPositive),
        _ => false,
    };

    /// <summary>Expands K(i·w) as log φ and compares its cumulants with the declared formula's, exactly.</summary>
    private static bool ReproducesCumulants(Expr formula, bool isLogForm, string frequencyVariable, Expr k, string variable, int order)
    {
        int checkedOrder = Math.Max(1, Math.Min(order, CheckedOrder));
        CumulantExpansion declared = CumulantExpander.Expand(formula, isLogForm, frequencyVariable, checkedOrder);
        Expr logPhi = Substitution.Substitute(k, variable, new BinaryExpr(BinaryOperator.Multiply, new ImaginaryUnitExpr(), new SymbolExpr(frequencyVariable)));
        CumulantExpansion derived = CumulantExpander.Expand(logPhi, isLogForm: true, frequencyVariable, checkedOrder);
        if (!declared.Succeeded || !derived.Succeeded || declared.Cumulants.Count != derived.Cumulants.Count)
        {
            return false;
        }
        return declared.Cumulants.Zip(derived.Cumulants, (a, b) => Simplifier.Simplify(new BinaryExpr(BinaryOperator.Subtract, a, b)))
            .All(difference => difference is NumberExpr { Value: 0 });
    }

    /// <summary>The s-dependent arguments that must be positive (non-zero for a denominator) for the formula to be real and finite.</summary>
    private static IReadOnlyList<(Expr Argument, string Relation)> Conditions(Expr k, string variable)
    {
        var conditions = new List<(Expr Argument, string Relation)>();
        void Add(Expr argument, string relation)
        {
            if (Substitution.Mentions(argument, variable)) conditions.Add((Simplifier.Simplify(argument), relation));
        }

        void Walk(Expr e)
        {
            switch (e)
            {
                case CallExpr { Function: FunctionKind.Log or FunctionKind.Sqrt } call:
                    Add(call.Argument, call.Function == FunctionKind.Log ? " > 0" : " >= 0");
                    break;
                case CallExpr { Function: FunctionKind.Log1p } call:
                    Add(new BinaryExpr(BinaryOperator.Add, new NumberExpr(1), call.Argument), " > 0");
                    break;
                case CallExpr { Function: FunctionKind.Lgamma or FunctionKind.Digamma or FunctionKind.Polygamma or FunctionKind.Lbeta } call:
                    // The gamma-function family of a real argument: finite for positive arguments (a CGF's lgamma(k + s) for s > −k).
                    for (int j = call.Function == FunctionKind.Polygamma ? 1 : 0; j < call.Arguments.Count; j++) Add(call.Arguments[j], " > 0");
                    break;
                case BinaryExpr { Operator: BinaryOperator.Divide } quotient:
                    Add(quotient.Right, " != 0");
                    break;
                case BinaryExpr { Operator: BinaryOperator.Power } power:
                    bool integerExponent = power.Right is NumberExpr { Value: var n } && n == Math.Floor(n)
                        || power.Right is NegateExpr { Operand: NumberExpr { Value: var m } } && m == Math.Floor(m);
                    if (!integerExponent) Add(power.Left, " > 0");
                    break;
            }
            switch (e)
            {
                case NegateExpr negate: Walk(negate.Operand); break;
                case BinaryExpr binary: Walk(binary.Left); Walk(binary.Right); break;
                case CallExpr call:
                    foreach (Expr argument in call.Arguments) Walk(argument);
                    break;
            }
        }

        Walk(k);
        return conditions;
    }
}
