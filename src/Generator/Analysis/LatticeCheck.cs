using StochasticBackprop.Generator.Formulas;

namespace StochasticBackprop.Generator.Analysis;

/// <summary>
/// Recognises the characteristic function of an integer-valued variable: the frequency appears only
/// in exp(i·m·w) with integer m (φ is then 2π-periodic), e.g. <c>1 - p + p*exp(i*w)</c> or
/// <c>exp(rate*(exp(i*w) - 1))</c>.
/// </summary>
internal static class LatticeCheck
{
    public static bool IsLattice(Expr root, string frequency)
    {
        int lattice = 0;
        return Walk(root, frequency, ref lattice) && lattice > 0;
    }

    /// <summary>False when the frequency occurs outside an exp(i·m·w); counts the exp(i·m·w) found.</summary>
    private static bool Walk(Expr e, string frequency, ref int lattice)
    {
        switch (e)
        {
            case SymbolExpr s:
                return s.Name != frequency;
            case NegateExpr n:
                return Walk(n.Operand, frequency, ref lattice);
            case BinaryExpr b:
                return Walk(b.Left, frequency, ref lattice) && Walk(b.Right, frequency, ref lattice);
            case CallExpr { Function: FunctionKind.Exp } call when Differentiator.DependsOn(call.Argument, frequency):
                int imaginary = 0, frequencies = 0;
                if (!IntegerMonomial(call.Argument, frequency, ref imaginary, ref frequencies) || imaginary != 1 || frequencies != 1)
                {
                    return false;
                }
                lattice++;
                return true;
            case CallExpr call:
                foreach (Expr argument in call.Arguments)
                {
                    if (!Walk(argument, frequency, ref lattice)) return false;
                }
                return true;
            default:
                return true;
        }
    }

    /// <summary>Whether <paramref name="e"/> is a product of i, the frequency and integers (possibly negated).</summary>
    private static bool IntegerMonomial(Expr e, string frequency, ref int imaginary, ref int frequencies)
    {
        switch (e)
        {
            case ImaginaryUnitExpr:
                imaginary++;
                return true;
            case SymbolExpr s when s.Name == frequency:
                frequencies++;
                return true;
            case NumberExpr number:
                return number.Value == System.Math.Floor(number.Value);
            case NegateExpr n:
                return IntegerMonomial(n.Operand, frequency, ref imaginary, ref frequencies);
            case BinaryExpr { Operator: BinaryOperator.Multiply } product:
                return IntegerMonomial(product.Left, frequency, ref imaginary, ref frequencies)
                    && IntegerMonomial(product.Right, frequency, ref imaginary, ref frequencies);
            default:
                return false;
        }
    }
}
