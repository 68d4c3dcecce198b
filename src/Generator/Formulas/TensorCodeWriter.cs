using System;
using System.Collections.Generic;
using System.Linq;
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
    internal const string Torch = "global::TorchSharp.torch";
    private const string MathClass = "global::System.Math";
    private const string Scalars = "global::StochasticBackprop.Scalars";

    internal const int AdditivePrecedence = 1;
    internal const int MultiplicativePrecedence = 2;
    internal const int UnaryPrecedence = 3;
    internal const int PrimaryPrecedence = 4;

    public static TensorCode Write(Expr e, IReadOnlyDictionary<string, string> symbolCode)
    {
        var writer = new Writer(symbolCode);
        Fragment fragment = writer.Emit(e);
        return writer.Error is not null
            ? new TensorCode(null, false, writer.Error, writer.ErrorSpan)
            : new TensorCode(fragment.Text, fragment.IsTensor, null, SourceSpan.None);
    }

    /// <summary>A piece of C#: its text, its C# precedence, whether it is a tensor, and its value if it is a plain literal.</summary>
    internal readonly record struct Fragment(string Text, int Precedence, bool IsTensor, double? Literal = null);

    internal sealed class Writer
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
                    return FunctionCatalog.Get(call.Function).Tensor(new CallSite(this, call, call.Arguments.Select(Emit).ToArray()));
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

        /// <summary>
        /// A constant operand of an operation on a tensor, as a kept-alive Scalar: <c>Scalars.Of(2)</c> for an
        /// integral literal (reads better; an integer Scalar keeps the tensor's dtype), <c>Scalars.Of(0.5)</c> or
        /// <c>Scalars.Of(global::System.Math.PI)</c> otherwise.
        /// </summary>
        internal static Fragment AsScalar(Fragment constant)
        {
            string value = constant.Literal is double literal && literal == System.Math.Floor(literal) && System.Math.Abs(literal) <= int.MaxValue
                ? ((long)literal).ToString(CultureInfo.InvariantCulture)
                : constant.Text;
            return new Fragment(Scalars + ".Of(" + value + ")", PrimaryPrecedence, false);
        }

        internal static string Wrap(Fragment fragment, bool parenthesize) => parenthesize ? "(" + fragment.Text + ")" : fragment.Text;

        internal void Fail(string message, SourceSpan span)
        {
            if (Error is not null) return;
            Error = message;
            ErrorSpan = span;
        }
    }

    /// <summary>What a catalog row's tensor rule gets: the call, its arguments' code, and the writer (for definitions and errors).</summary>
    internal sealed class CallSite
    {
        private readonly Writer _writer;

        internal CallSite(Writer writer, CallExpr call, IReadOnlyList<Fragment> arguments)
        {
            _writer = writer;
            Call = call;
            Arguments = arguments;
        }

        public CallExpr Call { get; }

        public IReadOnlyList<Fragment> Arguments { get; }

        public Fragment Argument => Arguments[0];

        public string Name => FunctionNames.NameOf(Call.Function);

        /// <summary>Code of another expression (a function's definition in others).</summary>
        public Fragment Emit(Expr e) => _writer.Emit(e);

        public Fragment Fail(string message)
        {
            _writer.Fail(message, Call.Span);
            return new Fragment("0.0", PrimaryPrecedence, false);
        }
    }

    /// <summary>
    /// <c>torch.name(t)</c> of a tensor; of a constant <c>constantMethod(c)</c> when <c>System.Math</c> has it,
    /// else <c>torch.name(torch.tensor(c))</c>, a 0-dimensional tensor.
    /// </summary>
    internal static Func<CallSite, Fragment> Elementwise(string torchName, string? constantMethod) => site =>
    {
        Fragment argument = site.Argument;
        if (argument.IsTensor) return new Fragment(Torch + "." + torchName + "(" + argument.Text + ")", PrimaryPrecedence, true);
        return constantMethod is not null
            ? new Fragment(constantMethod + "(" + argument.Text + ")", PrimaryPrecedence, false)
            : new Fragment(Torch + "." + torchName + "(" + Torch + ".tensor(" + argument.Text + "))", PrimaryPrecedence, true);
    };

    /// <summary>log1p: <c>torch.log1p(t)</c>, of a constant <c>Math.Log(1.0 + c)</c>.</summary>
    internal static Fragment Log1p(CallSite site)
    {
        Fragment argument = site.Argument;
        return argument.IsTensor
            ? new Fragment(Torch + ".log1p(" + argument.Text + ")", PrimaryPrecedence, true)
            : new Fragment(MathClass + ".Log(1.0 + " + Writer.Wrap(argument, argument.Precedence <= AdditivePrecedence) + ")", PrimaryPrecedence, false);
    }

    /// <summary>sigmoid: <c>torch.sigmoid(t)</c>, of a constant <c>1.0 / (1.0 + Math.Exp(-c))</c>.</summary>
    internal static Fragment Sigmoid(CallSite site)
    {
        Fragment argument = site.Argument;
        if (argument.IsTensor) return new Fragment(Torch + ".sigmoid(" + argument.Text + ")", PrimaryPrecedence, true);
        return new Fragment("1.0 / (1.0 + " + MathClass + ".Exp(" + Negated(argument) + "))", MultiplicativePrecedence, false);
    }

    /// <summary>softplus(t) = -logsigmoid(-t): TorchSharp's softplus passes temporary Scalars for beta and threshold.</summary>
    internal static Fragment Softplus(CallSite site)
    {
        Fragment argument = site.Argument;
        if (!argument.IsTensor) return new Fragment(MathClass + ".Log(1.0 + " + MathClass + ".Exp(" + argument.Text + "))", PrimaryPrecedence, false);
        string negatedArgument = "-" + Writer.Wrap(argument, argument.Precedence < UnaryPrecedence || argument.Text.StartsWith("-", StringComparison.Ordinal));
        return new Fragment("-" + Torch + ".nn.functional.logsigmoid(" + negatedArgument + ")", UnaryPrecedence, true);
    }

    /// <summary>sum and logsumexp over the event axis, kept so they broadcast back against event-axis tensors.</summary>
    internal static Fragment Reduction(CallSite site)
    {
        Fragment argument = site.Argument;
        if (!argument.IsTensor)
        {
            return site.Fail($"{site.Name} reduces over the event axis of a parameter; its argument must mention one.");
        }

        return site.Call.Function == FunctionKind.Sum
            ? new Fragment(Writer.Wrap(argument, argument.Precedence < PrimaryPrecedence) + ".sum(new long[] { -1 }, keepdim: true)", PrimaryPrecedence, true)
            : new Fragment(Torch + ".logsumexp(" + argument.Text + ", -1, keepdim: true)", PrimaryPrecedence, true);
    }

    /// <summary>polygamma(n, x): <c>torch.special.polygamma(n, x)</c> (the order is a <c>long</c>, no Scalar), of a constant on a 0-dimensional tensor.</summary>
    internal static Fragment Polygamma(CallSite site)
    {
        int order = FunctionCatalog.OrderOf(site.Call);
        Fragment x = site.Arguments[1];
        string tensor = x.IsTensor ? x.Text : Torch + ".tensor(" + x.Text + ")";
        return new Fragment(Torch + ".special.polygamma(" + order.ToString(CultureInfo.InvariantCulture) + ", " + tensor + ")", PrimaryPrecedence, true);
    }

    /// <summary>A function written through its definition in other functions (lbeta through lgamma).</summary>
    internal static Func<CallSite, Fragment> ByDefinition(Func<CallExpr, Expr> definition) => site => site.Emit(definition(site.Call));

    private static string Negated(Fragment argument)
    {
        string a = argument.Text;
        return argument.Precedence < UnaryPrecedence || a.StartsWith("-", StringComparison.Ordinal) ? "-(" + a + ")" : "-" + a;
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
