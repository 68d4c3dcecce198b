using System.Globalization;
using System.Linq;
using System.Text;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>
/// Writes an <see cref="Expr"/> back in the formula language, the way papers write it:
/// spaces around <c>+</c> and <c>-</c>, none around <c>*</c>, <c>/</c>, <c>^</c>, and only the
/// parentheses the grammar needs (so <see cref="FormulaParser"/> reads the text back to an equal tree).
/// It is the one text of an expression: generated comments, error messages, and the keys of the
/// series expander's atoms (deterministic, and distinct trees never print alike).
/// </summary>
internal static class FormulaPrinter
{
    private const int SumPrecedence = 1;
    private const int ProductPrecedence = 2;
    private const int UnaryPrecedence = 3;
    private const int PowerPrecedence = 4;
    private const int AtomPrecedence = 5;

    public static string Print(Expr e)
    {
        var builder = new StringBuilder();
        Write(builder, e);
        return builder.ToString();
    }

    /// <summary>Integers without a decimal point (<c>2</c>), other values as invariant round-trip text.</summary>
    public static string FormatNumber(double value)
    {
        if (value == System.Math.Floor(value) && System.Math.Abs(value) < 1e15)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static int PrecedenceOf(Expr e) => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Add or BinaryOperator.Subtract } => SumPrecedence,
        BinaryExpr { Operator: BinaryOperator.Multiply or BinaryOperator.Divide } => ProductPrecedence,
        BinaryExpr { Operator: BinaryOperator.Power } => PowerPrecedence,
        NegateExpr => UnaryPrecedence,
        NumberExpr { Value: < 0 } => UnaryPrecedence,
        _ => AtomPrecedence,
    };

    private static void Write(StringBuilder builder, Expr e)
    {
        switch (e)
        {
            case NumberExpr number:
                builder.Append(FormatNumber(number.Value));
                break;
            case ImaginaryUnitExpr:
                builder.Append('i');
                break;
            case PiExpr:
                builder.Append("pi");
                break;
            case SymbolExpr symbol:
                builder.Append(symbol.Name);
                break;
            case NegateExpr negate:
                builder.Append('-');
                WriteOperand(builder, negate.Operand, PrecedenceOf(negate.Operand) <= UnaryPrecedence);
                break;
            case CallExpr call:
                builder.Append(FunctionCatalog.Get(call.Function).Print(call.Arguments.Select(Print).ToArray()));
                break;
            case BinaryExpr binary:
                WriteBinary(builder, binary);
                break;
        }
    }

    private static void WriteBinary(StringBuilder builder, BinaryExpr binary)
    {
        switch (binary.Operator)
        {
            case BinaryOperator.Add:
            case BinaryOperator.Subtract:
                WriteLeftAssociative(builder, binary, SumPrecedence, binary.Operator == BinaryOperator.Add ? " + " : " - ");
                break;
            case BinaryOperator.Multiply:
            case BinaryOperator.Divide:
                WriteLeftAssociative(builder, binary, ProductPrecedence, binary.Operator == BinaryOperator.Multiply ? "*" : "/");
                break;
            default:
                // Right-associative: a^b^c is a^(b^c); the base needs parentheses unless it is an atom.
                WriteOperand(builder, binary.Left, PrecedenceOf(binary.Left) < AtomPrecedence);
                builder.Append('^');
                WriteOperand(builder, binary.Right, PrecedenceOf(binary.Right) < PowerPrecedence);
                break;
        }
    }

    /// <summary>
    /// Sums and products group to the left: the right operand is parenthesised at the same level
    /// (<c>a - (b - c)</c>) and when negative (<c>a*(-b)</c>), the left one only below it.
    /// </summary>
    private static void WriteLeftAssociative(StringBuilder builder, BinaryExpr binary, int precedence, string symbol)
    {
        int right = PrecedenceOf(binary.Right);
        WriteOperand(builder, binary.Left, PrecedenceOf(binary.Left) < precedence);
        builder.Append(symbol);
        WriteOperand(builder, binary.Right, right <= precedence || right == UnaryPrecedence);
    }

    private static void WriteOperand(StringBuilder builder, Expr operand, bool parenthesize)
    {
        if (parenthesize) builder.Append('(');
        Write(builder, operand);
        if (parenthesize) builder.Append(')');
    }
}
