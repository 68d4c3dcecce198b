using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>
/// A formula split for a one-pass loop over samples: the parts that depend only on the parameters
/// (<see cref="Hoisted"/>, computed once per coordinate, as tensors, so every function is available) and
/// the per-sample C# <c>double</c> expression (<see cref="Code"/>) in the variable's local and the hoisted
/// locals <c>h0</c>, <c>h1</c>, ….
/// </summary>
/// <param name="Hoisted">Tensor code (or, when <c>IsTensor</c> is false, double code) of each hoisted part, in the order of its local.</param>
/// <param name="HoistedIsTensor">Per hoisted part: whether its code is a tensor.</param>
/// <param name="Code">The per-sample expression.</param>
internal sealed record ScalarKernel(EquatableArray<string> Hoisted, EquatableArray<bool> HoistedIsTensor, string Code);

/// <summary>
/// Writes a formula in one variable as a per-sample <c>double</c> expression for a loop over CPU buffers, with
/// every subexpression free of that variable hoisted out of the loop (loop-invariant code motion on the
/// tree). The loop may use only what <c>System.Math</c> (and the runtime's small <c>Kernel</c> helpers) has:
/// a formula whose per-sample part needs <c>lgamma</c>, <c>digamma</c> or an event-axis reduction of the
/// variable has no kernel (null), and the tensor code serves instead.
/// </summary>
internal static class ScalarKernelWriter
{
    private const string MathClass = "global::System.Math";
    private const string KernelClass = "global::StochasticBackprop.Kernel";

    /// <param name="e">The simplified formula.</param>
    /// <param name="variable">The per-sample variable (<c>z</c> or <c>eps</c>).</param>
    /// <param name="variableLocal">The loop's local holding it.</param>
    /// <param name="tensorSymbolCode">Tensor code of the parameters, for the hoisted parts.</param>
    public static ScalarKernel? Write(Expr e, string variable, string variableLocal, IReadOnlyDictionary<string, string> tensorSymbolCode)
    {
        var hoisted = new List<Expr>();
        var index = new Dictionary<Expr, int>();
        string? code = Emit(e, variable, variableLocal, hoisted, index, depth: 0);
        if (code is null)
        {
            return null;
        }
        var hoistedCode = new List<string>();
        var isTensor = new List<bool>();
        foreach (Expr part in hoisted)
        {
            TensorCode tensor = TensorCodeWriter.Write(part, tensorSymbolCode);
            if (tensor.Code is null)
            {
                return null;
            }
            hoistedCode.Add(tensor.Code);
            isTensor.Add(tensor.IsTensor);
        }
        return new ScalarKernel(hoistedCode.ToEquatableArray(), isTensor.ToEquatableArray(), code);
    }

    /// <summary>The local name of hoisted part <paramref name="index"/>.</summary>
    public static string HoistedLocal(int index) => "h" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Emit(Expr e, string variable, string variableLocal, List<Expr> hoisted, Dictionary<Expr, int> index, int depth)
    {
        if (depth > 200)
        {
            return null;
        }
        switch (e)
        {
            case NumberExpr number:
                return "(" + TensorCodeWriter.DoubleLiteral(number.Value) + ")";
            case PiExpr:
                return MathClass + ".PI";
            case ImaginaryUnitExpr:
                return null;
        }
        if (!Differentiator.DependsOn(e, variable))
        {
            if (!index.TryGetValue(e, out int slot))
            {
                slot = hoisted.Count;
                hoisted.Add(e);
                index[e] = slot;
            }
            return HoistedLocal(slot);
        }
        string? Sub(Expr child) => Emit(child, variable, variableLocal, hoisted, index, depth + 1);
        switch (e)
        {
            case SymbolExpr:
                return variableLocal;
            case NegateExpr negate:
                return Sub(negate.Operand) is { } operand ? "(-" + operand + ")" : null;
            case BinaryExpr { Operator: BinaryOperator.Power } power:
            {
                string? @base = Sub(power.Left);
                if (@base is null) return null;
                if (power.Right is NumberExpr { Value: 2 })
                {
                    return KernelClass + ".Square(" + @base + ")";
                }
                string? exponent = Sub(power.Right);
                return exponent is null ? null : MathClass + ".Pow(" + @base + ", " + exponent + ")";
            }
            case BinaryExpr binary:
            {
                string? left = Sub(binary.Left);
                string? right = Sub(binary.Right);
                if (left is null || right is null) return null;
                string symbol = binary.Operator switch
                {
                    BinaryOperator.Add => " + ",
                    BinaryOperator.Subtract => " - ",
                    BinaryOperator.Multiply => " * ",
                    _ => " / ",
                };
                return "(" + left + symbol + right + ")";
            }
            case CallExpr call:
            {
                string? argument = Sub(call.Argument);
                if (argument is null) return null;
                return call.Function switch
                {
                    FunctionKind.Exp => MathClass + ".Exp(" + argument + ")",
                    FunctionKind.Log => MathClass + ".Log(" + argument + ")",
                    FunctionKind.Log1p => KernelClass + ".Log1p(" + argument + ")",
                    FunctionKind.Sqrt => MathClass + ".Sqrt(" + argument + ")",
                    FunctionKind.Abs => MathClass + ".Abs(" + argument + ")",
                    FunctionKind.Sigmoid => KernelClass + ".Sigmoid(" + argument + ")",
                    FunctionKind.Softplus => KernelClass + ".Softplus(" + argument + ")",
                    _ => null,
                };
            }
            default:
                return null;
        }
    }
}
