using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace StochasticBackprop.Generator.ScalarSafety;

/// <summary>How the code fix may rewrite a finding (carried in the diagnostic's properties).</summary>
internal static class ScalarFix
{
    /// <summary>A constant number: wrap it in <c>Scalars.Of(…)</c>.</summary>
    public const string ScalarsOf = "ScalarsOf";

    /// <summary>A run-time value read from a local, parameter or field: hold it in a <c>using Scalar</c> local before the statement.</summary>
    public const string UsingLocal = "UsingLocal";

    /// <summary><c>a + b</c> → <c>a.add(b, Scalars.One)</c>; <c>a += b</c> → <c>a = a.add(b, Scalars.One)</c>.</summary>
    public const string AddWithAlpha = "AddWithAlpha";

    /// <summary><c>n - t</c> → <c>-(t - n)</c> (exact: negation and rounding are symmetric).</summary>
    public const string NegatedSubtraction = "NegatedSubtraction";

    /// <summary><c>t.add(x)</c> → <c>t.add(x, Scalars.One)</c>: the overload with the alpha.</summary>
    public const string AppendAlpha = "AppendAlpha";

    /// <summary><c>t.square()</c> → <c>t.pow(Scalars.Of(2))</c>.</summary>
    public const string PowTwo = "PowTwo";

    /// <summary><c>softplus(x)</c> → <c>-torch.nn.functional.logsigmoid(-x)</c>, only with the default beta and threshold.</summary>
    public const string LogSigmoid = "LogSigmoid";

    /// <summary><c>t.ToDouble()</c> / <c>(double)t</c> → <c>t.to_type(ScalarType.Float64).item&lt;double&gt;()</c>; the text after the prefix is the item type.</summary>
    public const string ItemPrefix = "Item:";

    /// <summary>No safe rewrite: the diagnostic stands alone.</summary>
    public const string None = "";
}

/// <summary>A TorchSharp member that makes a temporary Scalar, with what to write instead.</summary>
/// <param name="Descriptor">SBS002 (hidden alpha) or SBS003 (a temporary inside the member).</param>
/// <param name="Advice">The safe form, for the message.</param>
/// <param name="Fix">One of <see cref="ScalarFix"/>'s kinds, or empty when only the diagnostic is given.</param>
internal sealed record UnsafeMember(DiagnosticDescriptor Descriptor, string Advice, string Fix);

/// <summary>
/// Which TorchSharp 0.107 members make a temporary <c>Scalar</c> inside their own body. Derived from
/// TorchSharp 0.107.0's IL: every public member that calls <c>Scalar</c>'s implicit conversion,
/// <c>ToScalar()</c> or <c>Tensor.ToScalar()</c>, directly or through another TorchSharp method. The
/// test <c>TorchSharpIlCoverageTests</c> recomputes that set from the assembly and fails if this table
/// misses a member or names a safe one.
/// </summary>
internal static class ScalarSafetyRules
{
    private const string WriteWithTensorOps = "write it with tensor operations and Scalars.Of constants (see the Scalars documentation)";
    private const string NoValuePrinting = "print the shape, or read values with data<T>() or item<T>()";

    private static readonly UnsafeMember AddAlpha = new(ScalarSafetyDescriptors.HiddenAlpha, "pass the alpha: add its Scalars.One overload", ScalarFix.AppendAlpha);
    private static readonly UnsafeMember AddAlphaTorch = new(ScalarSafetyDescriptors.HiddenAlpha, "pass the alpha: torch.add(a, b, Scalars.One)", ScalarFix.AppendAlpha);
    private static readonly UnsafeMember AddcdivAlpha = new(ScalarSafetyDescriptors.HiddenAlpha, "pass the value: addcdiv(a, b, Scalars.One)", ScalarFix.AppendAlpha);
    private static readonly UnsafeMember Square = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write t.pow(Scalars.Of(2)) or t * t", ScalarFix.PowTwo);
    private static readonly UnsafeMember Softplus = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write -torch.nn.functional.logsigmoid(-x) (the same value, computed stably)", ScalarFix.LogSigmoid);
    private static readonly UnsafeMember Activation = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, WriteWithTensorOps, ScalarFix.None);
    private static readonly UnsafeMember Printing = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, NoValuePrinting, ScalarFix.None);
    private static readonly UnsafeMember Other = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, WriteWithTensorOps, ScalarFix.None);
    private static readonly UnsafeMember Optimizer = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar,
        "its step() makes temporary Scalars for every parameter group; update parameters with tensor operations under torch.no_grad() (Scalars.Of constants, a using Scalar local for the learning rate)", ScalarFix.None);
    private static readonly UnsafeMember Distribution = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar,
        "TorchSharp's distributions make temporary Scalars in their densities, moments and samplers; declare the distribution with [Distribution] (StochasticBackprop) or write the formula with tensor operations and Scalars.Of constants", ScalarFix.None);

    private static UnsafeMember Item(string type) =>
        new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, $"write t.item<{type}>() on a tensor of that dtype (t.to_type(...).item<{type}>() otherwise)", ScalarFix.ItemPrefix + type);

    // Key: TorchSharp type (without "TorchSharp.", metadata names, nested types dotted) "." member
    // "(" parameter types (metadata names, arrays as T[]) ")"; "(*)" matches every overload.
    private static readonly Dictionary<string, UnsafeMember> Members = new(StringComparer.Ordinal)
    {
        ["torch.Tensor.add(Tensor)"] = AddAlpha,
        ["torch.Tensor.add(Scalar)"] = AddAlpha,
        ["torch.Tensor.add_(Tensor)"] = AddAlpha,
        ["torch.Tensor.add_(Scalar)"] = AddAlpha,
        ["torch.Tensor.addcdiv(Tensor,Tensor)"] = AddcdivAlpha,
        ["torch.Tensor.addcdiv_(Tensor,Tensor)"] = AddcdivAlpha,
        ["torch.add(Tensor,Tensor)"] = AddAlphaTorch,
        ["torch.add(Tensor,Scalar)"] = AddAlphaTorch,
        ["torch.add_(Tensor,Tensor)"] = AddAlphaTorch,
        ["torch.add_(Tensor,Scalar)"] = AddAlphaTorch,

        ["torch.Tensor.square()"] = Square,
        ["torch.square(Tensor)"] = Square,
        ["torch.Tensor.softplus(Double,Double)"] = Softplus,
        ["torch.nn.functional.softplus(Tensor,Double,Double)"] = Softplus,
        ["Modules.Softplus.forward(Tensor)"] = Softplus,

        ["torch.Tensor.celu()"] = Activation,
        ["torch.Tensor.celu_()"] = Activation,
        ["torch.Tensor.elu(Double)"] = Activation,
        ["torch.Tensor.elu_(Double)"] = Activation,
        ["torch.nn.functional.celu(*)"] = Activation,
        ["torch.nn.functional.elu(*)"] = Activation,
        ["torch.nn.functional.hardshrink(*)"] = Activation,
        ["torch.nn.functional.Hardshrink(*)"] = Activation,
        ["torch.nn.functional.hardtanh(*)"] = Activation,
        ["torch.nn.functional.Hardtanh(*)"] = Activation,
        ["torch.nn.functional.leaky_relu(*)"] = Activation,
        ["torch.nn.functional.mish(*)"] = Activation,
        ["torch.nn.functional.Mish(*)"] = Activation,
        ["torch.nn.functional.softshrink(*)"] = Activation,
        ["torch.nn.functional.Softshrink(*)"] = Activation,
        ["torch.nn.functional.softsign(*)"] = Activation,
        ["torch.nn.functional.Softsign(*)"] = Activation,
        ["torch.nn.functional.threshold(*)"] = Activation,
        ["torch.nn.functional.Threshold(*)"] = Activation,
        ["torch.nn.PReLU(*)"] = Activation,
        ["Modules.BatchNorm.forward(Tensor)"] = Activation,
        ["Modules.CELU.forward(Tensor)"] = Activation,
        ["Modules.ELU.forward(Tensor)"] = Activation,
        ["Modules.GaussianNLLLoss.forward(Tensor,Tensor,Tensor)"] = Activation,
        ["Modules.Hardshrink.forward(Tensor)"] = Activation,
        ["Modules.Hardtanh.forward(Tensor)"] = Activation,
        ["Modules.LeakyReLU.forward(Tensor)"] = Activation,
        ["Modules.Mish.forward(Tensor)"] = Activation,
        ["Modules.Softshrink.forward(Tensor)"] = Activation,
        ["Modules.Softsign.forward(Tensor)"] = Activation,
        ["Modules.Threshold.forward(Tensor)"] = Activation,
        ["torch.nn.utils.fuse_conv_bn_weights(*)"] = Other,
        ["torch.nn.utils.fuse_linear_bn_eval(*)"] = Other,
        ["torch.nn.utils.fuse_linear_bn_weights(*)"] = Other,

        ["TensorExtensionMethods.ToDouble(Tensor)"] = Item("double"),
        ["TensorExtensionMethods.ToSingle(Tensor)"] = Item("float"),
        ["TensorExtensionMethods.ToInt64(Tensor)"] = Item("long"),
        ["TensorExtensionMethods.ToInt32(Tensor)"] = Item("int"),
        ["TensorExtensionMethods.ToInt16(Tensor)"] = Item("short"),
        ["TensorExtensionMethods.ToByte(Tensor)"] = Item("byte"),
        ["TensorExtensionMethods.ToSByte(Tensor)"] = Item("sbyte"),
        ["TensorExtensionMethods.ToBoolean(Tensor)"] = Item("bool"),
        ["TensorExtensionMethods.ToHalf(Tensor)"] = Other,
        ["TensorExtensionMethods.ToBFloat16(Tensor)"] = Other,
        ["TensorExtensionMethods.ToComplex32(Tensor)"] = Other,
        ["TensorExtensionMethods.ToComplex64(Tensor)"] = Other,
        ["TensorExtensionMethods.ToComplexFloat32(Tensor)"] = Other,
        ["TensorExtensionMethods.ToComplexFloat64(Tensor)"] = Other,
        ["torch.Tensor.tolist()"] = Printing,
        ["torch.Tensor.ToString(Boolean,String,Nullable`1,CultureInfo,String)"] = Printing,
        ["torch.Tensor.ToString(TensorStringStyle,String,Nullable`1,CultureInfo,String)"] = Printing,
        ["TensorExtensionMethods.cstr(*)"] = Printing,
        ["TensorExtensionMethods.jlstr(*)"] = Printing,
        ["TensorExtensionMethods.metastr(*)"] = Printing,
        ["TensorExtensionMethods.npstr(*)"] = Printing,
        ["TensorExtensionMethods.print(*)"] = Printing,
        ["TensorExtensionMethods.str(*)"] = Printing,
        ["Utils.TensorHTMLFormatter.Format(*)"] = Printing,
        ["Utils.TensorPlainTextFormatter.Format(*)"] = Printing,

        ["torch.arange(Scalar,Nullable`1,Device,Boolean)"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "pass start and step: torch.arange(Scalars.Of(0), stop, Scalars.Of(1), ...)", ScalarFix.None),
        ["torch.arange(Scalar,Scalar,Nullable`1,Device,Boolean)"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "pass the step: torch.arange(start, stop, Scalars.Of(1), ...)", ScalarFix.None),
        ["torch.normal(Double,Double,ReadOnlySpan`1,Nullable`1,Device,Boolean,Generator,String[])"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write mean + std * torch.randn(...) with Scalars.Of constants", ScalarFix.None),
        ["torch.normal(Tensor,Tensor,Generator)"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write mean.add(std * torch.randn_like(std), Scalars.One)", ScalarFix.None),
        ["torch.linalg.vector_norm(Tensor,Double,Int64[],Boolean)"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write the norm with tensor operations ((x * x).sum(...).sqrt() for ord 2)", ScalarFix.None),
        ["torch.linalg.matrix_norm(Tensor,Double,Int64[],Boolean)"] = new(ScalarSafetyDescriptors.MemberMakesTemporaryScalar, "write the norm with tensor operations", ScalarFix.None),
        ["torch.histogram(Tensor,HistogramBinSelector,Nullable`1,Boolean)"] = Other,
        ["Utils.Histogram.histogram(*)"] = Other,
        ["Modules.SummaryWriter.add_histogram(*)"] = Other,
        ["Modules.SummaryWriter.add_img(String,Tensor,Int32,Nullable`1,String)"] = Other,
        ["Modules.SummaryWriter.add_video(*)"] = Other,
        ["torch.utils.tensorboard.Summary.histogram(*)"] = Other,
        ["torch.utils.tensorboard.Summary.image(String,Tensor,Double,String)"] = Other,
        ["torch.utils.tensorboard.Summary.make_histogram(*)"] = Other,
        ["torch.utils.tensorboard.Summary.video(*)"] = Other,
        ["torch.utils.tensorboard.utils.prepare_video(*)"] = Other,
        ["torch.jit.CompilationUnit.invoke(*)"] = Other,
        ["torch.jit.ScriptModule.call(*)"] = Other,
        ["torch.jit.ScriptModule.forward(*)"] = Other,
        ["torch.jit.ScriptModule.invoke(*)"] = Other,
        ["torch.jit.ScriptModule`1.forward(*)"] = Other,
        ["torch.jit.ScriptModule`2.forward(*)"] = Other,
        ["torch.jit.ScriptModule`3.forward(*)"] = Other,
    };

    // Module types whose forward is listed: calling them through the base class's call(x) is the same.
    private static readonly HashSet<string> UnsafeModules = new(
        Members.Keys.Where(key => key.StartsWith("Modules.", StringComparison.Ordinal) && key.Contains(".forward("))
            .Select(key => key.Substring(0, key.IndexOf(".forward(", StringComparison.Ordinal))),
        StringComparer.Ordinal);

    /// <summary>
    /// The unsafe member <paramref name="member"/> is (called on a receiver of static type
    /// <paramref name="receiverType"/>, if any), or null. Covers the table, every member of
    /// <c>torch.optim</c> and <c>torch.distributions</c>, and every member of an optimizer or a
    /// distribution type (or a type nested in one).
    /// </summary>
    public static UnsafeMember? Classify(ISymbol member, ITypeSymbol? receiverType)
    {
        if (member.ContainingType is not { } containing || !IsTorchSharp(containing))
        {
            return null;
        }

        if (Members.TryGetValue(Key(member), out var exact) || Members.TryGetValue(WildcardKey(member), out exact))
        {
            return exact;
        }

        for (INamedTypeSymbol? type = containing; type is not null; type = type.ContainingType)
        {
            string typeKey = TypeKey(type);
            if (typeKey == "torch.optim" || typeKey.StartsWith("torch.optim.", StringComparison.Ordinal) || DerivesFrom(type, "torch.optim.Optimizer"))
            {
                return Optimizer;
            }

            if (typeKey == "torch.distributions" || typeKey.StartsWith("torch.distributions.", StringComparison.Ordinal) || DerivesFrom(type, "torch.distributions.Distribution"))
            {
                return Distribution;
            }
        }

        if (member.Name is "call" or "forward" && receiverType is INamedTypeSymbol receiver)
        {
            for (INamedTypeSymbol? type = receiver; type is not null; type = type.BaseType)
            {
                if (IsTorchSharp(type) && UnsafeModules.Contains(TypeKey(type)))
                {
                    return Activation;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The rule a TorchSharp <c>Tensor</c> operator breaks, or null: every <c>operator +</c> (SBS002, the
    /// alpha of <c>add</c>), <c>number - tensor</c> and <c>Scalar - tensor</c> (SBS002,
    /// <c>negative().add(number)</c>), any other operator with a number operand (SBS001, converted
    /// inside the operator) and the explicit casts to a number (SBS003, through <c>ToScalar()</c>).
    /// </summary>
    public static DiagnosticDescriptor? ClassifyOperator(IMethodSymbol op)
    {
        if (op.ContainingType is not { } containing || !IsTorchSharp(containing) || TypeKey(containing) != "torch.Tensor")
        {
            return null;
        }

        bool IsTensor(ITypeSymbol type) => type is INamedTypeSymbol named && IsTorchSharp(named) && TypeKey(named) == "torch.Tensor";
        bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16
            or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Single or SpecialType.System_Double;

        return op.Name switch
        {
            "op_Addition" => ScalarSafetyDescriptors.HiddenAlpha,
            "op_Subtraction" when op.Parameters.Length == 2 && !IsTensor(op.Parameters[0].Type) => ScalarSafetyDescriptors.HiddenAlpha,
            "op_Explicit" when op.Parameters.Length == 1 && IsTensor(op.Parameters[0].Type) => ScalarSafetyDescriptors.MemberMakesTemporaryScalar,
            _ when op.MethodKind == MethodKind.UserDefinedOperator && op.Parameters.Any(p => IsNumber(p.Type)) => ScalarSafetyDescriptors.NumberToTemporaryScalar,
            _ => null,
        };
    }

    /// <summary>Whether the type-wide rules (optimizers, distributions) cover <paramref name="member"/>, rather than the table.</summary>
    public static bool IsCoveredByTypeRule(ISymbol member) =>
        member.ContainingType is { } containing && !Members.ContainsKey(Key(member)) && !Members.ContainsKey(WildcardKey(member))
        && Classify(member, null) is not null;

    /// <summary>The table key of <paramref name="member"/>, e.g. <c>torch.Tensor.add(Tensor)</c>.</summary>
    public static string Key(ISymbol member)
    {
        ISymbol definition = member.OriginalDefinition;
        var parameters = definition is IMethodSymbol method
            ? string.Join(",", method.Parameters.Select(parameter => TypeName(parameter.Type)))
            : "";
        return $"{TypeKey(definition.ContainingType)}.{definition.MetadataName}({parameters})";
    }

    private static string WildcardKey(ISymbol member) => $"{TypeKey(member.OriginalDefinition.ContainingType)}.{member.OriginalDefinition.MetadataName}(*)";

    /// <summary><paramref name="type"/>'s name without the <c>TorchSharp.</c> namespace, nested types dotted (metadata names).</summary>
    public static string TypeKey(INamedTypeSymbol type)
    {
        type = type.OriginalDefinition;
        string outer = type.ContainingType is { } containing ? TypeKey(containing) : NamespaceName(type.ContainingNamespace);
        string name = outer.Length == 0 ? type.MetadataName : outer + "." + type.MetadataName;
        return name.StartsWith("TorchSharp.", StringComparison.Ordinal) ? name.Substring("TorchSharp.".Length) : name;
    }

    /// <summary>Whether <paramref name="type"/> is declared in the TorchSharp assembly's namespaces.</summary>
    public static bool IsTorchSharp(INamedTypeSymbol type)
    {
        INamespaceSymbol? ns = type.ContainingNamespace;
        while (ns is { IsGlobalNamespace: false, ContainingNamespace.IsGlobalNamespace: false })
        {
            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: false } && ns.Name == "TorchSharp";
    }

    private static bool DerivesFrom(INamedTypeSymbol type, string baseKey)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (IsTorchSharp(current) && TypeKey(current) == baseKey)
            {
                return true;
            }
        }

        return false;
    }

    private static string TypeName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => TypeName(array.ElementType) + "[]",
        INamedTypeSymbol named => named.OriginalDefinition.MetadataName,
        _ => type.Name,
    };

    private static string NamespaceName(INamespaceSymbol? ns) =>
        ns is null || ns.IsGlobalNamespace ? "" : ns.ToDisplayString();
}
