using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.ScalarSafety;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.ScalarSafety;

/// <summary>
/// The analyzer's list of TorchSharp members that make a temporary Scalar is checked against
/// TorchSharp's own IL: a member makes one if its body calls <c>Scalar</c>'s implicit conversion,
/// a <c>ToScalar</c> extension or <c>Tensor.ToScalar()</c>, or calls a TorchSharp method that does.
/// Every such public member must be flagged, and the table must name no member outside that set
/// (the type-wide optimizer and distribution rules aside): a new TorchSharp version that changes
/// either side fails here.
/// </summary>
public sealed class TorchSharpIlCoverageTests
{
    private static readonly Lazy<(HashSet<int> Tokens, string Location)> UnsafeFromIl = new(ComputeUnsafeTokens);

    [Fact]
    public void EveryPublicMemberThatMakesATemporaryInIl_IsFlagged()
    {
        var (symbols, unsafeTokens) = Load();
        var missing = new List<string>();
        foreach (int token in unsafeTokens)
        {
            if (!symbols.TryGetValue(token, out ISymbol? symbol) || !IsPublicApi(symbol))
            {
                continue;
            }

            if (!IsFlagged(symbol))
            {
                missing.Add(ScalarSafetyRules.Key(symbol));
            }
        }

        Assert.True(missing.Count == 0, "TorchSharp members that make a temporary Scalar but are not flagged:\n" + string.Join("\n", missing.OrderBy(m => m, StringComparer.Ordinal)));
    }

    [Fact]
    public void TheTable_NamesOnlyMembersThatMakeATemporaryInIl()
    {
        var (symbols, unsafeTokens) = Load();
        var wronglyFlagged = symbols
            .Where(pair => IsPublicApi(pair.Value) && pair.Value is IMethodSymbol { MethodKind: not MethodKind.Conversion and not MethodKind.UserDefinedOperator }
                && !ScalarSafetyRules.IsCoveredByTypeRule(pair.Value) && ScalarSafetyRules.Classify(pair.Value, null) is not null
                && !unsafeTokens.Contains(pair.Key))
            .Select(pair => ScalarSafetyRules.Key(pair.Value))
            .OrderBy(key => key, StringComparer.Ordinal)
            .ToList();

        Assert.True(wronglyFlagged.Count == 0, "Flagged, but TorchSharp's IL makes no temporary Scalar in them:\n" + string.Join("\n", wronglyFlagged));
    }

    [Fact]
    public void TheIlScan_FindsTheKnownCulprits()
    {
        // The scan itself must see what the issue found by crashing: add's alpha, square, ToDouble.
        var (symbols, unsafeTokens) = Load();
        var keys = unsafeTokens.Where(symbols.ContainsKey).Select(token => ScalarSafetyRules.Key(symbols[token])).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("torch.Tensor.add(Tensor)", keys);
        Assert.Contains("torch.Tensor.op_Addition(Tensor,Tensor)", keys);
        Assert.Contains("torch.Tensor.square()", keys);
        Assert.Contains("TensorExtensionMethods.ToDouble(Tensor)", keys);
        Assert.DoesNotContain("torch.Tensor.sub(Tensor)", keys);
        Assert.DoesNotContain("torch.Tensor.op_Subtraction(Tensor,Tensor)", keys);
        Assert.DoesNotContain("torch.Tensor.add(Tensor,Scalar)", keys);
        Assert.DoesNotContain("torch.Tensor.mul(Scalar)", keys);
    }

    private static bool IsFlagged(ISymbol symbol)
    {
        if (symbol is IMethodSymbol method)
        {
            if (method.ContainingType.Name == "Scalar" && method.MethodKind == MethodKind.Conversion)
            {
                return true; // SBS001: the implicit conversion, flagged where the user's code converts.
            }

            if (ScalarSafetyRules.ClassifyOperator(method) is not null)
            {
                return true;
            }

            if (method.AssociatedSymbol is IPropertySymbol property)
            {
                return ScalarSafetyRules.Classify(property, null) is not null;
            }
        }

        return ScalarSafetyRules.Classify(symbol, null) is not null;
    }

    private static bool IsPublicApi(ISymbol symbol)
    {
        for (ISymbol? current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
        {
            if (current.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return !symbol.IsImplicitlyDeclared;
    }

    private static (Dictionary<int, ISymbol> Symbols, HashSet<int> UnsafeTokens) Load()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var (tokens, location) = UnsafeFromIl.Value;
        var reference = compilation.References.OfType<PortableExecutableReference>().Single(r => string.Equals(r.FilePath, location, StringComparison.OrdinalIgnoreCase));
        var assembly = (IAssemblySymbol)compilation.GetAssemblyOrModuleSymbol(reference)!;
        var symbols = new Dictionary<int, ISymbol>();
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            foreach (ISymbol member in pending.Pop().GetMembers())
            {
                if (member is INamespaceOrTypeSymbol container)
                {
                    pending.Push(container);
                }
                else if (member is IMethodSymbol && member.MetadataToken != 0)
                {
                    symbols[member.MetadataToken] = member;
                }
            }
        }

        return (symbols, tokens);
    }

    private static (HashSet<int>, string) ComputeUnsafeTokens()
    {
        string location = typeof(TorchSharp.torch).Assembly.Location;
        using var stream = File.OpenRead(location);
        using var pe = new PEReader(stream);
        MetadataReader metadata = pe.GetMetadataReader();

        var calls = new Dictionary<MethodDefinitionHandle, List<EntityHandle>>();
        foreach (MethodDefinitionHandle handle in metadata.MethodDefinitions)
        {
            MethodDefinition method = metadata.GetMethodDefinition(handle);
            calls[handle] = method.RelativeVirtualAddress == 0
                ? new List<EntityHandle>()
                : CalledMembers(pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes() ?? Array.Empty<byte>());
        }

        bool MakesScalar(EntityHandle callee)
        {
            string name = MemberName(metadata, callee);
            return name is "TorchSharp.Scalar::op_Implicit" or "TorchSharp.torch.Tensor::ToScalar"
                || name.StartsWith("TorchSharp.ScalarExtensionMethods::To", StringComparison.Ordinal);
        }

        var unsafeMethods = new HashSet<MethodDefinitionHandle>(calls.Where(pair => pair.Value.Any(MakesScalar)).Select(pair => pair.Key));
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (handle, callees) in calls)
            {
                if (!unsafeMethods.Contains(handle)
                    && callees.Any(callee => callee.Kind == HandleKind.MethodDefinition && unsafeMethods.Contains((MethodDefinitionHandle)callee)))
                {
                    grew |= unsafeMethods.Add(handle);
                }
            }
        }

        // The conversions and ToScalar themselves wrap a native scalar; the temporary is made where they are called.
        return (unsafeMethods.Select(handle => MetadataTokens.GetToken(handle)).ToHashSet(), location);
    }

    private static readonly Dictionary<short, OpCode> OneByteOpCodes = new();
    private static readonly Dictionary<short, OpCode> TwoByteOpCodes = new();

    static TorchSharpIlCoverageTests()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            (opCode.Size == 1 ? OneByteOpCodes : TwoByteOpCodes)[(short)(opCode.Value & 0xff)] = opCode;
        }
    }

    private static List<EntityHandle> CalledMembers(byte[] il)
    {
        var called = new List<EntityHandle>();
        for (int i = 0; i < il.Length;)
        {
            OpCode opCode = il[i] == 0xFE ? TwoByteOpCodes[il[i + 1]] : OneByteOpCodes[il[i]];
            i += opCode.Size;
            int operandSize = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
            if (opCode == OpCodes.Call || opCode == OpCodes.Callvirt || opCode == OpCodes.Newobj || opCode == OpCodes.Ldftn)
            {
                called.Add(MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i)));
            }

            i += operandSize;
        }

        return called;
    }

    private static string MemberName(MetadataReader metadata, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.MethodDefinition => TypeName(metadata, metadata.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()) + "::"
            + metadata.GetString(metadata.GetMethodDefinition((MethodDefinitionHandle)handle).Name),
        HandleKind.MemberReference => TypeName(metadata, metadata.GetMemberReference((MemberReferenceHandle)handle).Parent) + "::"
            + metadata.GetString(metadata.GetMemberReference((MemberReferenceHandle)handle).Name),
        HandleKind.MethodSpecification => MemberName(metadata, metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
        _ => "",
    };

    private static string TypeName(MetadataReader metadata, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                TypeDefinition definition = metadata.GetTypeDefinition((TypeDefinitionHandle)handle);
                TypeDefinitionHandle declaring = definition.GetDeclaringType();
                return (declaring.IsNil ? metadata.GetString(definition.Namespace) : TypeName(metadata, declaring)) + "." + metadata.GetString(definition.Name);
            case HandleKind.TypeReference:
                TypeReference reference = metadata.GetTypeReference((TypeReferenceHandle)handle);
                return (reference.ResolutionScope.Kind == HandleKind.TypeReference ? TypeName(metadata, (EntityHandle)reference.ResolutionScope) : metadata.GetString(reference.Namespace))
                    + "." + metadata.GetString(reference.Name);
            default:
                return "";
        }
    }
}
