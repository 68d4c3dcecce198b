using System.Collections.Generic;
using System.Globalization;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>C# text for a formula, or why there is none.</summary>
/// <param name="Code">A C# expression; a <c>global::TorchSharp.torch.Tensor</c> when <paramref name="IsTensor"/>, a <c>double</c> otherwise.</param>
/// <param name="IsTensor">False when the formula mentions no symbol (and no <c>lgamma</c>/<c>digamma</c>), so the code is plain <c>double</c> arithmetic.</param>
/// <param name="Error">Why no code was written (<paramref name="ErrorSpan"/> is the node at fault).</param>
internal sealed record TensorCode(string? Code, bool IsTensor, string? Error, SourceSpan ErrorSpan)
{
    public bool Success => Code is not null;
}

/// <summary>
/// Writes a real formula as a TorchSharp 0.107.0 expression.
/// </summary>
/// <remarks>
/// <para>
/// A subexpression without symbols is a <c>double</c> computed with <c>global::System.Math</c>; one
/// with a symbol is a tensor. The writer uses only overloads TorchSharp 0.107.0 has:
/// <c>Tensor op Tensor</c>, <c>Tensor op Scalar</c>, <c>Scalar op Tensor</c> for <c>- * /</c>,
/// <c>Tensor.add(Tensor or Scalar, Scalar alpha)</c>, unary <c>-Tensor</c>, <c>Tensor.pow(Tensor)</c>,
/// <c>Tensor.pow(Scalar)</c>, and the <c>torch.exp</c>-style functions. It has no
/// <c>pow(Scalar, Tensor)</c>, so <c>a^t</c> for a constant <c>a</c> is written <c>exp(t*log(a))</c>,
/// which assumes <c>a &gt; 0</c>.
/// </para>
/// <para>
/// Where a number meets a tensor it is written as a cached, kept-alive
/// <c>global::StochasticBackprop.Scalars.Of(c)</c>, never as a C# number: TorchSharp 0.107 converts a number
/// operand into a temporary finalizable <c>Scalar</c> that a garbage collection can free while libtorch
/// reads it (dotnet/TorchSharp PRs #1434, #1496; see <c>Scalars</c> in the runtime). For the same reason
/// the writer avoids the members that make such a temporary themselves: a sum of tensors is
/// <c>a.add(b, Scalars.One)</c> (<c>a + b</c> passes a temporary <c>alpha</c>), <c>c - t</c> is
/// <c>-(t - Scalars.Of(c))</c> (exact: negation and rounding are symmetric), and <c>softplus(t)</c> is
/// <c>-logsigmoid(-t)</c> (<c>softplus</c> converts its <c>beta</c> and <c>threshold</c>). Integral
/// constants are <c>Scalars.Of(2)</c> (an integer Scalar: TorchSharp keeps the tensor's floating dtype).
/// In <c>double</c> arithmetic every literal carries a decimal point (<c>1.0 / 2.0</c>), so no integer
/// division can happen. <c>System.Math</c> has no lgamma or digamma: of a constant they are computed on a
/// 0-dimensional tensor (<c>torch.lgamma(torch.tensor(c))</c>), so that subexpression is a tensor.
/// The imaginary unit has no real-tensor form and is reported.
/// </para>
/// </remarks>
internal static class TensorCodeWriter
{
    private const string Torch = "global::TorchSharp.torch";
    private const string MathClass = "global::System.Math";
    private const string Scalars = "global::StochasticBackprop.Scalars";

    private const int AdditivePrecedence = 1;
    private const int MultiplicativePrecedence = 2;
    private const int UnaryPrecedence = 3;
    private const int PrimaryPrecedence = 4;

    public static TensorCode Write(Expr e, IReadOnlyDictionary<string, string> symbolCode)
    {
        var writer = new Writer(symbolCode);
        Fragment fragment = writer.Emit(e);
        return writer.Error is not null
            ? new TensorCode(null, false, writer.Error, writer.ErrorSpan)
            : new TensorCode(fragment.Text, fragment.IsTensor, null, SourceSpan.None);
    }

    /// <summary>A piece of C#: its text, its C# precedence, whether it is a tensor, and its value if it is a plain literal.</summary>
    private readonly record struct Fragment(string Text, int Precedence, bool IsTensor, double? Literal = null);

    private sealed class Writer
    {
        private readonly IReadOnlyDictionary<string, string> _symbolCode;

        public Writer(IReadOnlyDictionary<string, string> symbolCode) => _symbolCode = symbolCode;

        public string? Error { get; private set; }

        public SourceSpan ErrorSpan { get; private set; } = SourceSpan.None;

        public Fragment Emit(Expr e)
        {
            switch (e)
            {
                case NumberExpr number:
                    return new Fragment(DoubleLiteral(number.Value), number.Value < 0 ? UnaryPrecedence : PrimaryPrecedence, false, number.Value);
                case PiExpr:
                    return new Fragment(MathClass + ".PI", PrimaryPrecedence, false);
                case ImaginaryUnitExpr:
                    Fail("The imaginary unit 'i' has no real-tensor form.", e.Span);
                    return new Fragment("0.0", PrimaryPrecedence, false);
                case SymbolExpr symbol:
                    if (!_symbolCode.TryGetValue(symbol.Name, out string? code))
                    {
                        Fail($"No tensor is bound to '{symbol.Name}'.", e.Span);
                        return new Fragment(symbol.Name, PrimaryPrecedence, true);
                    }

                    return new Fragment(IsPrimary(code) ? code : "(" + code + ")", PrimaryPrecedence, true);
                case NegateExpr negate:
                {
                    Fragment operand = Emit(negate.Operand);
                    string text = operand.Literal is double value && !operand.IsTensor && value >= 0
                        ? "-" + operand.Text
                        : "-" + Wrap(operand, operand.Precedence < UnaryPrecedence || operand.Text.StartsWith("-", System.StringComparison.Ordinal));
                    double? literal = operand.Literal is double negated && !operand.IsTensor ? -negated : null;
                    return new Fragment(text, UnaryPrecedence, operand.IsTensor, literal);
                }

                case CallExpr call:
                    return EmitCall(call.Function, Emit(call.Argument));
                case BinaryExpr { Operator: BinaryOperator.Power } power:
                    return EmitPower(Emit(power.Left), Emit(power.Right));
                case BinaryExpr binary:
                    return EmitArithmetic(binary.Operator, Emit(binary.Left), Emit(binary.Right));
                default:
                    Fail("Unsupported expression.", e.Span);
                    return new Fragment("0.0", PrimaryPrecedence, false);
            }
        }

        private Fragment EmitArithmetic(BinaryOperator op, Fragment left, Fragment right)
        {
            if (!left.IsTensor && !right.IsTensor)
            {
                return EmitOperator(op, left, right, isTensor: false);
            }

            if (op == BinaryOperator.Add)
            {
                // a + b passes TorchSharp's own temporary alpha = 1; addition commutes, so a constant goes second.
                (Fragment tensor, Fragment other) = left.IsTensor ? (left, right) : (right, left);
                string addend = other.IsTensor ? other.Text : AsScalar(other).Text;
                return new Fragment(Wrap(tensor, tensor.Precedence < PrimaryPrecedence) + ".add(" + addend + ", " + Scalars + ".One)", PrimaryPrecedence, true);
            }

            if (op == BinaryOperator.Subtract && !left.IsTensor)
            {
                // c - t is t.negative().add(c) in TorchSharp, with a temporary alpha; -(t - c) is the same number.
                Fragment difference = EmitOperator(BinaryOperator.Subtract, right, AsScalar(left), isTensor: true);
                return new Fragment("-(" + difference.Text + ")", UnaryPrecedence, true);
            }

            return EmitOperator(op, left.IsTensor ? left : AsScalar(left), right.IsTensor ? right : AsScalar(right), isTensor: true);
        }

        private static Fragment EmitOperator(BinaryOperator op, Fragment left, Fragment right, bool isTensor)
        {
            (string symbol, int precedence) = op switch
            {
                BinaryOperator.Add => ("+", AdditivePrecedence),
                BinaryOperator.Subtract => ("-", AdditivePrecedence),
                BinaryOperator.Multiply => ("*", MultiplicativePrecedence),
                _ => ("/", MultiplicativePrecedence),
            };

            // Left-associative: the left operand needs parentheses only when it binds looser, the right one also when it binds the same.
            string text = Wrap(left, left.Precedence < precedence) + " " + symbol + " " + Wrap(right, right.Precedence <= precedence);
            return new Fragment(text, precedence, isTensor);
        }

        private Fragment EmitPower(Fragment @base, Fragment exponent)
        {
            if (@base.IsTensor)
            {
                Fragment argument = exponent.IsTensor ? exponent : AsScalar(exponent);
                return new Fragment(Wrap(@base, @base.Precedence < PrimaryPrecedence) + ".pow(" + argument.Text + ")", PrimaryPrecedence, true);
            }

            if (exponent.IsTensor)
            {
                // No pow(Scalar, Tensor) in TorchSharp: a^t = exp(t*log(a)), for a > 0.
                string product = Wrap(exponent, exponent.Precedence < MultiplicativePrecedence) + " * " + Scalars + ".Of(" + MathClass + ".Log(" + @base.Text + "))";
                return new Fragment(Torch + ".exp(" + product + ")", PrimaryPrecedence, true);
            }

            return new Fragment(MathClass + ".Pow(" + @base.Text + ", " + exponent.Text + ")", PrimaryPrecedence, false);
        }

        private Fragment EmitCall(FunctionKind function, Fragment argument)
        {
            string name = FunctionNames.NameOf(function);
            if (function is FunctionKind.Sum or FunctionKind.Logsumexp)
            {
                if (!argument.IsTensor)
                {
                    Fail($"{name} reduces over the event axis of a parameter; its argument must mention one.", SourceSpan.None);
                    return new Fragment("0.0", PrimaryPrecedence, false);
                }

                // Reductions over the event axis keep it, so they broadcast back against event-axis tensors.
                return function == FunctionKind.Sum
                    ? new Fragment(Wrap(argument, argument.Precedence < PrimaryPrecedence) + ".sum(new long[] { -1 }, keepdim: true)", PrimaryPrecedence, true)
                    : new Fragment(Torch + ".logsumexp(" + argument.Text + ", -1, keepdim: true)", PrimaryPrecedence, true);
            }

            if (argument.IsTensor)
            {
                if (function == FunctionKind.Softplus)
                {
                    // softplus(t) = -logsigmoid(-t): TorchSharp's softplus passes temporary Scalars for beta and threshold.
                    string negatedArgument = "-" + Wrap(argument, argument.Precedence < UnaryPrecedence || argument.Text.StartsWith("-", System.StringComparison.Ordinal));
                    return new Fragment("-" + Torch + ".nn.functional.logsigmoid(" + negatedArgument + ")", UnaryPrecedence, true);
                }

                return new Fragment(Torch + "." + name + "(" + argument.Text + ")", PrimaryPrecedence, true);
            }

            string a = argument.Text;
            string negated = argument.Precedence < UnaryPrecedence || a.StartsWith("-", System.StringComparison.Ordinal) ? "-(" + a + ")" : "-" + a;
            return function switch
            {
                FunctionKind.Exp => new Fragment(MathClass + ".Exp(" + a + ")", PrimaryPrecedence, false),
                FunctionKind.Log => new Fragment(MathClass + ".Log(" + a + ")", PrimaryPrecedence, false),
                FunctionKind.Log1p => new Fragment(MathClass + ".Log(1.0 + " + Wrap(argument, argument.Precedence <= AdditivePrecedence) + ")", PrimaryPrecedence, false),
                FunctionKind.Sqrt => new Fragment(MathClass + ".Sqrt(" + a + ")", PrimaryPrecedence, false),
                FunctionKind.Abs => new Fragment(MathClass + ".Abs(" + a + ")", PrimaryPrecedence, false),
                FunctionKind.Sigmoid => new Fragment("1.0 / (1.0 + " + MathClass + ".Exp(" + negated + "))", MultiplicativePrecedence, false),
                FunctionKind.Softplus => new Fragment(MathClass + ".Log(1.0 + " + MathClass + ".Exp(" + a + "))", PrimaryPrecedence, false),
                _ => new Fragment(Torch + "." + name + "(" + Torch + ".tensor(" + a + "))", PrimaryPrecedence, true),
            };
        }

        /// <summary>
        /// A constant operand of an operation on a tensor, as a kept-alive Scalar: <c>Scalars.Of(2)</c> for an
        /// integral literal (reads better; an integer Scalar keeps the tensor's dtype), <c>Scalars.Of(0.5)</c> or
        /// <c>Scalars.Of(global::System.Math.PI)</c> otherwise.
        /// </summary>
        private static Fragment AsScalar(Fragment constant)
        {
            string value = constant.Literal is double literal && literal == System.Math.Floor(literal) && System.Math.Abs(literal) <= int.MaxValue
                ? ((long)literal).ToString(CultureInfo.InvariantCulture)
                : constant.Text;
            return new Fragment(Scalars + ".Of(" + value + ")", PrimaryPrecedence, false);
        }

        private static string Wrap(Fragment fragment, bool parenthesize) => parenthesize ? "(" + fragment.Text + ")" : fragment.Text;

        private void Fail(string message, SourceSpan span)
        {
            if (Error is not null) return;
            Error = message;
            ErrorSpan = span;
        }
    }

    /// <summary>A double literal that stays a double in C#: <c>2.0</c>, <c>0.5</c>, <c>1E-05</c>.</summary>
    internal static string DoubleLiteral(double value)
    {
        if (double.IsNaN(value)) return "global::System.Double.NaN";
        if (double.IsPositiveInfinity(value)) return "global::System.Double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "global::System.Double.NegativeInfinity";
        if (value == System.Math.Floor(value) && System.Math.Abs(value) < 1e15)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture) + ".0";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 ? text : text + ".0";
    }

    /// <summary>Whether C# code can be used as an operand without parentheses (a name or member access).</summary>
    private static bool IsPrimary(string code)
    {
        if (code.Length == 0) return false;
        foreach (char c in code)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_' || c == '.' || c == '@' || c == ':')) return false;
        }

        return true;
    }
}
