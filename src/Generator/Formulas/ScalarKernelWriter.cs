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
/// <param name="VectorCode">
/// The same expression over <c>System.Numerics.Vector&lt;double&gt;</c> (the sample local a vector, hoisted parts
/// <c>hv0</c>, <c>hv1</c>, … broadcast), for four or eight samples at a time; null when it uses a function with no
/// vector form (log1p, sigmoid, softplus, a power other than the square).
/// </param>
internal sealed record ScalarKernel(EquatableArray<string> Hoisted, EquatableArray<bool> HoistedIsTensor, string Code, string? VectorCode = null);

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
        string? code = EmitFragment(e, variable, variableLocal, hoisted, index, depth: 0, vector: false)?.Text;
        if (code is null)
        {
            return null;
        }
        // Same traversal order, so the same hoisted parts in the same slots.
        string? vectorCode = EmitFragment(e, variable, variableLocal, hoisted, index, depth: 0, vector: true)?.Text;
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
        return new ScalarKernel(hoistedCode.ToEquatableArray(), isTensor.ToEquatableArray(), code, vectorCode);
    }

    /// <summary>The local name of hoisted part <paramref name="index"/> (<c>hv…</c>: broadcast to a vector).</summary>
    public static string HoistedLocal(int index, bool vector = false) => (vector ? "hv" : "h") + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private const int Additive = 1;
    private const int Multiplicative = 2;
    private const int Unary = 3;
    private const int Primary = 4;

    /// <summary>C# text and the precedence of its outermost operator, so parentheses appear only where C# needs them.</summary>
    private readonly record struct Fragment(string Text, int Precedence);

    private const string VectorType = "global::System.Numerics.Vector<double>";

    private static Fragment? EmitFragment(Expr e, string variable, string variableLocal, List<Expr> hoisted, Dictionary<Expr, int> index, int depth, bool vector)
    {
        if (depth > 200)
        {
            return null;
        }
        switch (e)
        {
            case NumberExpr number when vector:
                return new Fragment("new " + VectorType + "(" + TensorCodeWriter.DoubleLiteral(number.Value) + ")", Primary);
            case NumberExpr number:
                return new Fragment(TensorCodeWriter.DoubleLiteral(number.Value), number.Value < 0 ? Unary : Primary);
            case PiExpr when vector:
                return new Fragment("new " + VectorType + "(" + MathClass + ".PI)", Primary);
            case PiExpr:
                return new Fragment(MathClass + ".PI", Primary);
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
            return new Fragment(HoistedLocal(slot, vector), Primary);
        }
        Fragment? Sub(Expr child) => EmitFragment(child, variable, variableLocal, hoisted, index, depth + 1, vector);
        static string Wrap(Fragment fragment, bool parenthesize) => parenthesize ? "(" + fragment.Text + ")" : fragment.Text;
        static Fragment Call(string function, Fragment argument) => new(function + "(" + argument.Text + ")", Primary);
        static Fragment Operator(Fragment left, string symbol, Fragment right, int precedence) =>
            // Left-associative: the right operand also needs parentheses at equal precedence.
            new(Wrap(left, left.Precedence < precedence) + symbol + Wrap(right, right.Precedence <= precedence), precedence);
        switch (e)
        {
            case SymbolExpr:
                return new Fragment(variableLocal, Primary);
            case NegateExpr negate:
                return Sub(negate.Operand) is { } operand ? new Fragment("-" + Wrap(operand, operand.Precedence < Primary), Unary) : null;
            case BinaryExpr { Operator: BinaryOperator.Power } power:
            {
                if (Sub(power.Left) is not { } @base) return null;
                if (power.Right is NumberExpr { Value: 2 })
                {
                    return Call(KernelClass + ".Square", @base);
                }
                return !vector && Sub(power.Right) is { } exponent ? new Fragment(MathClass + ".Pow(" + @base.Text + ", " + exponent.Text + ")", Primary) : null;
            }
            case BinaryExpr { Operator: BinaryOperator.Divide } quotient when !Differentiator.DependsOn(quotient.Right, variable):
            {
                // x / h with h free of the sample: multiply by the hoisted 1/h (a division costs several multiplications).
                Fragment? dividend = Sub(quotient.Left);
                Fragment? reciprocal = Sub(new BinaryExpr(BinaryOperator.Divide, new NumberExpr(1), quotient.Right));
                return dividend is { } x && reciprocal is { } r ? Operator(x, " * ", r, Multiplicative) : null;
            }
            case BinaryExpr binary:
            {
                if (Sub(binary.Left) is not { } left || Sub(binary.Right) is not { } right) return null;
                return binary.Operator switch
                {
                    BinaryOperator.Add => Operator(left, " + ", right, Additive),
                    BinaryOperator.Subtract => Operator(left, " - ", right, Additive),
                    BinaryOperator.Multiply => Operator(left, " * ", right, Multiplicative),
                    _ => Operator(left, " / ", right, Multiplicative),
                };
            }
            case CallExpr call:
            {
                // The row's scalar-kernel column; a function without one (lgamma, erf, reductions, …) leaves the sample to the tensor code.
                FunctionRow row = FunctionCatalog.Get(call.Function);
                string? method = vector ? row.VectorMethod : row.ScalarMethod;
                if (method is null || row.Arity != 1 || Sub(call.Argument) is not { } argument) return null;
                return Call(method, argument);
            }
            default:
                return null;
        }
    }
}
