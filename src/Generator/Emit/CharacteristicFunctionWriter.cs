using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Emit;

/// <summary>The declared characteristic function, ready to emit as <c>ICharacteristicFunction</c>.</summary>
/// <param name="Declared">The formula as written (for the doc comment).</param>
/// <param name="DeclaredAsLog">True for <c>[LogCharacteristicFunction]</c>: the code computes log φ and the member exponentiates it.</param>
/// <param name="ComplexCode">
/// C# over <c>System.Numerics.Complex</c> in the lambda's locals <c>values</c> (the parameters, in declaration order)
/// and <c>frequency</c> (w).
/// </param>
internal sealed record CharacteristicFunctionSpec(string Declared, bool DeclaredAsLog, string ComplexCode);

/// <summary>
/// Writes the declared φ(w) (or log φ(w)) as a run-time member, <c>CharacteristicFunction(w)</c>, evaluated per coordinate in
/// complex double precision on the CPU (<c>System.Numerics.Complex</c>; TorchSharp's complex tensors would need a temporary
/// Scalar per number in the formula). It is a check of the declaration, not part of any estimator: the self-check compares it
/// with the sampler (E e^{iwz}) and with the log density (∫ e^{iwz} p(z) dz).
/// </summary>
internal static class CharacteristicFunctionWriter
{
    private const string Complex = "global::System.Numerics.Complex";
    private const string Evaluator = "global::StochasticBackprop.CharacteristicFunctionEvaluator";
    private const string ValuesLocal = "values";
    private const string FrequencyLocal = "frequency";

    /// <summary>
    /// The spec for a parsed, checked φ; null when the formula uses a function with no complex form here
    /// (<c>lgamma</c>, <c>digamma</c>, the event-axis reductions): the member is then left out.
    /// </summary>
    public static CharacteristicFunctionSpec? Describe(string declared, Expr root, bool isLog, IReadOnlyList<string> parameterNames, string frequencyVariable)
    {
        string? code = Write(root, parameterNames, frequencyVariable, depth: 0);
        return code is null ? null : new CharacteristicFunctionSpec(declared, isLog, code);
    }

    /// <summary>Writes the member (the class header lists <c>global::StochasticBackprop.ICharacteristicFunction</c>).</summary>
    public static void WriteMember(SourceWriter w, CharacteristicFunctionSpec spec, string generatedCode)
    {
        string declared = spec.Declared.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        string body = spec.DeclaredAsLog ? $"{Complex}.Exp({spec.ComplexCode})" : spec.ComplexCode;
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The characteristic function φ(w) = E[exp(i*w*z)] per coordinate, as declared:");
        w.Line($"/// <br/>{(spec.DeclaredAsLog ? "log φ(w)" : "φ(w)")} = {declared}");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"w\">Real frequencies; broadcasts against <see cref=\"BatchShape\"/>.</param>");
        w.Line("/// <returns>A complex128 tensor of the broadcast shape, computed in double precision on the CPU, without gradient.</returns>");
        w.Line(generatedCode);
        w.Line($"public global::TorchSharp.torch.Tensor CharacteristicFunction(global::TorchSharp.torch.Tensor w) =>");
        w.Line($"    {Evaluator}.Evaluate(this, w, static ({ValuesLocal}, {FrequencyLocal}) => {body});");
    }

    private static string? Write(Expr e, IReadOnlyList<string> parameterNames, string frequencyVariable, int depth)
    {
        if (depth > 200)
        {
            return null;
        }
        string? Sub(Expr child) => Write(child, parameterNames, frequencyVariable, depth + 1);
        switch (e)
        {
            case NumberExpr number:
                return number.Value < 0 ? "(" + TensorCodeWriter.DoubleLiteral(number.Value) + ")" : TensorCodeWriter.DoubleLiteral(number.Value);
            case PiExpr:
                return "global::System.Math.PI";
            case ImaginaryUnitExpr:
                return Complex + ".ImaginaryOne";
            case SymbolExpr symbol when symbol.Name == frequencyVariable:
                return FrequencyLocal;
            case SymbolExpr symbol:
            {
                int index = parameterNames.ToList().IndexOf(symbol.Name);
                return index < 0 ? null : $"{ValuesLocal}[{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]";
            }
            case NegateExpr negate:
                return Sub(negate.Operand) is { } operand ? $"(-({Complex})({operand}))" : null;
            case BinaryExpr binary:
            {
                if (Sub(binary.Left) is not { } left || Sub(binary.Right) is not { } right)
                {
                    return null;
                }
                return binary.Operator switch
                {
                    BinaryOperator.Add => $"(({Complex}){left} + {right})",
                    BinaryOperator.Subtract => $"(({Complex}){left} - {right})",
                    BinaryOperator.Multiply => $"(({Complex}){left} * {right})",
                    BinaryOperator.Divide => $"(({Complex}){left} / {right})",
                    _ => $"{Evaluator}.Power({left}, {right})",
                };
            }
            case CallExpr call:
            {
                if (Sub(call.Argument) is not { } argument)
                {
                    return null;
                }
                return call.Function switch
                {
                    FunctionKind.Exp => $"{Complex}.Exp({argument})",
                    FunctionKind.Log => $"{Complex}.Log({argument})",
                    FunctionKind.Log1p => $"{Evaluator}.Log1p({argument})",
                    FunctionKind.Sqrt => $"{Complex}.Sqrt({argument})",
                    FunctionKind.Abs => $"{Evaluator}.Abs({argument})",
                    FunctionKind.Sigmoid => $"{Evaluator}.Sigmoid({argument})",
                    FunctionKind.Softplus => $"{Evaluator}.Softplus({argument})",
                    _ => null,
                };
            }
            default:
                return null;
        }
    }
}
