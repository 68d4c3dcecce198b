using System.Globalization;
using StochasticBackprop.Generator.Formulas;

namespace StochasticBackprop.Generator.Series;

/// <summary>
/// A compact, deterministic, fully parenthesised-where-needed rendering of an <see cref="Expr"/>.
/// The expander keys its opaque atoms by it (equal subexpressions print equally) and puts it in
/// error messages; it is not the formula printer used for generated code.
/// </summary>
internal static class ExprText
{
    private const int SumPrecedence = 1;
    private const int ProductPrecedence = 2;
    private const int NegatePrecedence = 3;
    private const int PowerPrecedence = 4;
    private const int PrimaryPrecedence = 5;

    public static string Print(Expr expr) => Render(expr, out _);

    private static string Render(Expr expr, out int precedence)
    {
        switch (expr)
        {
            case NumberExpr number:
                string text = number.Value.ToString("R", CultureInfo.InvariantCulture);
                precedence = number.Value < 0 || text.StartsWith("-", System.StringComparison.Ordinal) ? NegatePrecedence : PrimaryPrecedence;
                return text;
            case ImaginaryUnitExpr:
                precedence = PrimaryPrecedence;
                return "i";
            case PiExpr:
                precedence = PrimaryPrecedence;
                return "pi";
            case SymbolExpr symbol:
                precedence = PrimaryPrecedence;
                return symbol.Name;
            case NegateExpr negate:
                precedence = NegatePrecedence;
                return "-" + Wrap(negate.Operand, parenthesizeBelowOrAt: NegatePrecedence);
            case CallExpr call:
                precedence = PrimaryPrecedence;
                return FunctionNames.NameOf(call.Function) + "(" + Print(call.Argument) + ")";
            case BinaryExpr binary:
                return RenderBinary(binary, out precedence);
            default:
                precedence = PrimaryPrecedence;
                return "?";
        }
    }

    private static string RenderBinary(BinaryExpr binary, out int precedence)
    {
        switch (binary.Operator)
        {
            case BinaryOperator.Power:
                precedence = PowerPrecedence;
                // Base: anything but a primary needs parentheses ((a^b)^c, (-a)^c); exponent: below a power.
                return Wrap(binary.Left, PowerPrecedence) + "^" + Wrap(binary.Right, NegatePrecedence);
            case BinaryOperator.Multiply:
            case BinaryOperator.Divide:
                precedence = ProductPrecedence;
                return Wrap(binary.Left, SumPrecedence) + (binary.Operator == BinaryOperator.Multiply ? "*" : "/") + Wrap(binary.Right, ProductPrecedence);
            default:
                precedence = SumPrecedence;
                return Print(binary.Left) + (binary.Operator == BinaryOperator.Add ? " + " : " - ") + Wrap(binary.Right, SumPrecedence);
        }
    }

    private static string Wrap(Expr expr, int parenthesizeBelowOrAt)
    {
        string text = Render(expr, out int precedence);
        return precedence <= parenthesizeBelowOrAt ? "(" + text + ")" : text;
    }
}
