using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>The declared characteristic function, ready to emit as <c>ICharacteristicFunction</c>.</summary>
/// <param name="Declared">The formula as written (for the doc comment).</param>
/// <param name="DeclaredAsLog">True for <c>[LogCharacteristicFunction]</c>: the code computes log φ and the member exponentiates it.</param>
/// <param name="ParameterLocals">The C# names of the parameters, in declaration order (the helper method's arguments).</param>
/// <param name="ComplexCode">C# over <c>System.Numerics.Complex</c> in <paramref name="ParameterLocals"/> and <c>w</c>.</param>
internal sealed record CharacteristicFunctionSpec(string Declared, bool DeclaredAsLog, EquatableArray<string> ParameterLocals, string ComplexCode);

/// <summary>
/// Writes the declared φ(w) (or log φ(w)) as a run-time member, <c>CharacteristicFunction(w)</c>, evaluated per coordinate in
/// complex double precision on the CPU (<c>System.Numerics.Complex</c>; TorchSharp's complex tensors would need a temporary
/// Scalar per number in the formula). It is a check of the declaration, not part of any estimator: the self-check compares it
/// with the sampler (E e^{iwz}) and with the log density (∫ e^{iwz} p(z) dz).
/// </summary>
internal sealed class CharacteristicFunctionWriter : CapabilityWriter
{
    private const string Complex = "global::System.Numerics.Complex";
    private const string Evaluator = "global::StochasticBackprop.CharacteristicFunctionEvaluator";
    private const string FrequencyLocal = "w";

    /// <summary>The name of the generated helper that evaluates φ at one point.</summary>
    public const string HelperName = "CharacteristicFunctionOf";

    private readonly CharacteristicFunctionSpec characteristicFunction;

    public CharacteristicFunctionWriter(DistributionSpec spec, SourceWriter writer, CharacteristicFunctionSpec characteristicFunction)
        : base(spec, writer)
    {
        this.characteristicFunction = characteristicFunction;
    }

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.ICharacteristicFunction" };

    /// <summary>
    /// The spec for a parsed, checked φ; null when the formula uses a function with no complex form here
    /// (<c>lgamma</c>, <c>digamma</c>, the event-axis reductions): the member is then left out.
    /// </summary>
    /// <param name="parameterNames">The parameters as formulas write them, in declaration order.</param>
    /// <param name="parameterLocals">Their C# names (<c>@event</c> for a keyword).</param>
    public static CharacteristicFunctionSpec? Describe(string declared, Expr root, bool isLog, IReadOnlyList<string> parameterNames, IReadOnlyList<string> parameterLocals, string frequencyVariable)
    {
        var locals = new Dictionary<string, string>(System.StringComparer.Ordinal) { [frequencyVariable] = FrequencyLocal };
        for (int p = 0; p < parameterNames.Count; p++)
        {
            locals[parameterNames[p]] = parameterLocals[p];
        }
        Fragment? code = WriteComplex(root, locals, depth: 0);
        return code is { } fragment ? new CharacteristicFunctionSpec(declared, isLog, parameterLocals.ToEquatableArray(), fragment.Text) : null;
    }

    /// <summary>Writes the member and its helper.</summary>
    public override void Write()
    {
        CharacteristicFunctionSpec cf = characteristicFunction;
        string shown = cf.DeclaredAsLog ? "log φ(w)" : "φ(w)";
        string body = cf.DeclaredAsLog ? $"{Complex}.Exp({cf.ComplexCode})" : cf.ComplexCode;
        string arguments = string.Join(", ", cf.ParameterLocals.Select((_, p) => $"values[{Invariant(p)}]").Append("frequency"));
        w.Line();
        w.Lines($$"""
            /// <summary>
            /// The characteristic function φ(w) = E[exp(i*w*z)] per coordinate, as declared:
            /// <br/>{{shown}} = {{Escape(cf.Declared)}}
            /// </summary>
            /// <param name="w">Real frequencies; broadcasts against <see cref="BatchShape"/>.</param>
            /// <returns>A complex128 tensor of the broadcast shape, computed in double precision on the CPU, without gradient.</returns>
            {{GeneratedCode}}
            public {{Tensor}} CharacteristicFunction({{Tensor}} w) =>
                {{Evaluator}}.Evaluate(this, w, static (values, frequency) => {{HelperName}}({{arguments}}));

            /// <summary>{{shown}} = {{Escape(cf.Declared)}}, at one point.</summary>
            {{GeneratedCode}}
            private static {{Complex}} {{HelperName}}({{string.Join(", ", cf.ParameterLocals.Select(local => "double " + local).Append("double " + FrequencyLocal))}}) =>
                {{body}};
            """);
    }

    private const int Additive = 1;
    private const int Multiplicative = 2;
    private const int Unary = 3;
    private const int Primary = 4;

    /// <summary>C# text and the precedence of its outermost operator, so parentheses appear only where C# needs them.</summary>
    private readonly record struct Fragment(string Text, int Precedence);

    /// <remarks>
    /// No casts: a double operand meets a <c>Complex</c> one through the implicit conversion, and an all-real subexpression
    /// computed in double arithmetic has the same value.
    /// </remarks>
    private static Fragment? WriteComplex(Expr e, IReadOnlyDictionary<string, string> locals, int depth)
    {
        if (depth > 200)
        {
            return null;
        }
        Fragment? Sub(Expr child) => WriteComplex(child, locals, depth + 1);
        static string Wrap(Fragment fragment, bool parenthesize) => parenthesize ? "(" + fragment.Text + ")" : fragment.Text;
        static Fragment Operator(Fragment left, string symbol, Fragment right, int precedence) =>
            // Left-associative: the right operand also needs parentheses at equal precedence.
            new(Wrap(left, left.Precedence < precedence) + symbol + Wrap(right, right.Precedence <= precedence), precedence);
        static Fragment Call(string function, params Fragment[] arguments) => new(function + "(" + string.Join(", ", arguments.Select(a => a.Text)) + ")", Primary);
        switch (e)
        {
            case NumberExpr number:
                return new Fragment(TensorCodeWriter.DoubleLiteral(number.Value), number.Value < 0 ? Unary : Primary);
            case PiExpr:
                return new Fragment("global::System.Math.PI", Primary);
            case ImaginaryUnitExpr:
                return new Fragment(Complex + ".ImaginaryOne", Primary);
            case SymbolExpr symbol:
                return locals.TryGetValue(symbol.Name, out string? local) ? new Fragment(local, Primary) : null;
            case NegateExpr negate:
                return Sub(negate.Operand) is { } operand ? new Fragment("-" + Wrap(operand, operand.Precedence < Primary), Unary) : null;
            case BinaryExpr binary:
            {
                if (Sub(binary.Left) is not { } left || Sub(binary.Right) is not { } right)
                {
                    return null;
                }
                return binary.Operator switch
                {
                    BinaryOperator.Add => Operator(left, " + ", right, Additive),
                    BinaryOperator.Subtract => Operator(left, " - ", right, Additive),
                    BinaryOperator.Multiply => Operator(left, " * ", right, Multiplicative),
                    BinaryOperator.Divide => Operator(left, " / ", right, Multiplicative),
                    _ => Call(Evaluator + ".Power", left, right),
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
                    FunctionKind.Exp => Call(Complex + ".Exp", argument),
                    FunctionKind.Log => Call(Complex + ".Log", argument),
                    FunctionKind.Log1p => Call(Evaluator + ".Log1p", argument),
                    FunctionKind.Sqrt => Call(Complex + ".Sqrt", argument),
                    FunctionKind.Abs => Call(Evaluator + ".Abs", argument),
                    FunctionKind.Sigmoid => Call(Evaluator + ".Sigmoid", argument),
                    FunctionKind.Softplus => Call(Evaluator + ".Softplus", argument),
                    _ => null,
                };
            }
            default:
                return null;
        }
    }
}
