using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace StochasticBackprop.Generator.ScalarSafety;

/// <summary>
/// Finds the TorchSharp 0.107 forms that hand libtorch a temporary <c>Scalar</c> (SBS001 a number
/// converted at the call site or inside an operator, SBS002 the hidden <c>alpha</c> of addition,
/// SBS003 a member that makes one internally) and tells the code fix how to rewrite each one.
/// Works on the operation tree, so overload resolution decides, not the spelling.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalarSafetyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        ScalarSafetyDescriptors.NumberToTemporaryScalar,
        ScalarSafetyDescriptors.HiddenAlpha,
        ScalarSafetyDescriptors.MemberMakesTemporaryScalar);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // Generated code is its generator's business: a user cannot fix it.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            var tensor = start.Compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
            if (scalar is null || tensor is null)
            {
                return;
            }

            var types = new TorchSharpTypes(scalar, tensor);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeBinary(c, types), OperationKind.Binary, OperationKind.CompoundAssignment);
            start.RegisterOperationAction(c => AnalyzeConversion(c, types), OperationKind.Conversion);
            start.RegisterOperationAction(AnalyzeMemberUse, OperationKind.PropertyReference, OperationKind.ObjectCreation);
        });
    }

    private sealed class TorchSharpTypes
    {
        public TorchSharpTypes(INamedTypeSymbol scalar, INamedTypeSymbol tensor)
        {
            Scalar = scalar;
            Tensor = tensor;
        }

        public INamedTypeSymbol Scalar { get; }

        public INamedTypeSymbol Tensor { get; }

        public bool IsScalar(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, Scalar);

        public bool IsTensor(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, Tensor);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, TorchSharpTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;

        if (method.ContainingType?.Name == "ScalarExtensionMethods" && method.Name.StartsWith("To", System.StringComparison.Ordinal)
            && types.IsScalar(method.ReturnType) && IsTemporary(invocation))
        {
            // value.ToScalar() passed inline: as temporary as an implicit conversion.
            IOperation receiver = invocation.Instance ?? invocation.Arguments.FirstOrDefault()?.Value ?? invocation;
            Report(context, ScalarSafetyDescriptors.NumberToTemporaryScalar, invocation.Syntax,
                $"'{Snippet(invocation.Syntax)}'", "hold it in a local for the call: using Scalar s = value.ToScalar();",
                IsSimpleValue(receiver) && CanInsertStatementBefore(invocation.Syntax) ? ScalarFix.UsingLocal : ScalarFix.None);
            return;
        }

        if (ScalarSafetyRules.Classify(method, invocation.Instance?.Type) is not { } rule)
        {
            return;
        }

        string fix = rule.Fix switch
        {
            ScalarFix.AppendAlpha => HasAlphaOverload(method, types) ? ScalarFix.AppendAlpha : ScalarFix.None,
            ScalarFix.LogSigmoid => HasDefaultSoftplusArguments(invocation) ? ScalarFix.LogSigmoid : ScalarFix.None,
            _ => rule.Fix,
        };
        Report(context, rule.Descriptor, invocation.Syntax, $"'{MemberName(method)}'", rule.Advice, fix);
    }

    private static void AnalyzeMemberUse(OperationAnalysisContext context)
    {
        (ISymbol? member, ITypeSymbol? receiver) = context.Operation switch
        {
            IPropertyReferenceOperation property => ((ISymbol?)property.Property, property.Instance?.Type),
            IObjectCreationOperation creation => (creation.Constructor, null),
            _ => (null, null),
        };
        if (member is not null && ScalarSafetyRules.Classify(member, receiver) is { } rule)
        {
            string name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? $"new {member.ContainingType.Name}(...)" : MemberName(member);
            Report(context, rule.Descriptor, context.Operation.Syntax, $"'{name}'", rule.Advice, ScalarFix.None);
        }
    }

    private static void AnalyzeBinary(OperationAnalysisContext context, TorchSharpTypes types)
    {
        (IMethodSymbol? op, IOperation left, IOperation right, bool compound) = context.Operation switch
        {
            IBinaryOperation binary => (binary.OperatorMethod, binary.LeftOperand, binary.RightOperand, false),
            ICompoundAssignmentOperation assignment => (assignment.OperatorMethod, assignment.Target, assignment.Value, true),
            _ => (null, null!, null!, false),
        };
        if (op is null || !types.IsTensor(op.ContainingType) || op.Parameters.Length != 2)
        {
            return;
        }

        SyntaxNode node = context.Operation.Syntax;
        string token = node switch
        {
            BinaryExpressionSyntax b => b.OperatorToken.Text,
            AssignmentExpressionSyntax a => a.OperatorToken.Text,
            _ => "?",
        };

        DiagnosticDescriptor? rule = ScalarSafetyRules.ClassifyOperator(op);
        if (rule == ScalarSafetyDescriptors.HiddenAlpha && op.Name == "op_Addition")
        {
            bool fixable = !compound || IsSimpleValue(left);
            Report(context, ScalarSafetyDescriptors.HiddenAlpha, node, $"'{Snippet(node)}' (operator {token})",
                compound ? "write a = a.add(b, Scalars.One)" : "write a.add(b, Scalars.One) (a number operand as Scalars.Of(number))",
                fixable ? ScalarFix.AddWithAlpha : ScalarFix.None);
            return;
        }

        if (rule == ScalarSafetyDescriptors.HiddenAlpha)
        {
            Report(context, ScalarSafetyDescriptors.HiddenAlpha, node, $"'{Snippet(node)}' (number - tensor is negative().add(number))",
                "write -(t - Scalars.Of(number))", ScalarFix.NegatedSubtraction);
            return;
        }

        if (rule != ScalarSafetyDescriptors.NumberToTemporaryScalar)
        {
            return;
        }

        // The operator's number parameter is converted to a Scalar inside TorchSharp (t * 2.0).
        for (int index = 0; index < 2; index++)
        {
            if (IsNumber(op.Parameters[index].Type))
            {
                IOperation operand = index == 0 ? left : right;
                ReportNumber(context, operand);
            }
        }
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, TorchSharpTypes types)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.OperatorMethod is not { } method)
        {
            return;
        }

        if (types.IsScalar(method.ContainingType) && types.IsScalar(method.ReturnType))
        {
            if (IsTemporary(conversion))
            {
                ReportNumber(context, conversion);
            }

            return;
        }

        if (ScalarSafetyRules.ClassifyOperator(method) == ScalarSafetyDescriptors.MemberMakesTemporaryScalar)
        {
            string item = ItemType(conversion.Type) ?? "?";
            Report(context, ScalarSafetyDescriptors.MemberMakesTemporaryScalar, conversion.Syntax,
                $"'({conversion.Type!.ToDisplayString()}) tensor' (goes through Tensor.ToScalar())",
                $"write t.item<{item}>() on a tensor of that dtype (t.to_type(...).item<{item}>() otherwise)", item == "?" ? ScalarFix.None : ScalarFix.ItemPrefix + item);
        }
    }

    // A number (or a number converted to a Scalar) that becomes a temporary: a constant gets
    // Scalars.Of, a plain local/parameter/field a using local, anything else only the diagnostic.
    private static void ReportNumber(OperationAnalysisContext context, IOperation operation)
    {
        IOperation value = operation is IConversionOperation { OperatorMethod: not null } conversion ? conversion.Operand : operation;
        value = SkipImplicitConversions(value);
        string fix;
        string advice;
        if (operation.ConstantValue.HasValue || value.ConstantValue.HasValue)
        {
            bool wrappable = IsIntegral(value.Type) || value.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
            fix = wrappable ? ScalarFix.ScalarsOf : ScalarFix.None;
            advice = $"write Scalars.Of({Snippet(value.Syntax)}) (cached and kept alive)";
        }
        else
        {
            fix = IsSimpleValue(value) && IsNumber(value.Type) && CanInsertStatementBefore(operation.Syntax) ? ScalarFix.UsingLocal : ScalarFix.None;
            advice = "a value computed at run time: hold it in a local for the call (using Scalar s = value.ToScalar();)";
        }

        Report(context, ScalarSafetyDescriptors.NumberToTemporaryScalar, operation.Syntax, $"'{Snippet(operation.Syntax)}'", advice, fix);
    }

    private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, SyntaxNode node, string subject, string advice, string fix)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ScalarSafetyDescriptors.FixKey, fix);
        context.ReportDiagnostic(Diagnostic.Create(descriptor, node.GetLocation(), properties, subject, advice));
    }

    // A Scalar made for one argument or operand is unreachable as soon as TorchSharp has read its
    // handle. Held in a variable, a field or returned to a caller, its lifetime is the holder's.
    private static bool IsTemporary(IOperation operation)
    {
        IOperation? parent = operation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        return parent is not (IVariableInitializerOperation or IReturnOperation or ISimpleAssignmentOperation or IFieldInitializerOperation or IPropertyInitializerOperation);
    }

    private static IOperation SkipImplicitConversions(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool IsSimpleValue(IOperation operation) =>
        SkipImplicitConversions(operation) switch
        {
            ILocalReferenceOperation local => !local.Local.IsRef,
            IParameterReferenceOperation parameter => parameter.Parameter.RefKind == RefKind.None,
            IFieldReferenceOperation field => field.Instance is null or IInstanceReferenceOperation,
            _ => false,
        };

    // A using local can go right before the statement when the statement sits in a block or a
    // switch section and the value is not inside a lambda or local function nested in it.
    private static bool CanInsertStatementBefore(SyntaxNode node)
    {
        for (SyntaxNode? current = node; current is not null; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return false;
            }

            if (current is StatementSyntax statement)
            {
                return statement.Parent is BlockSyntax or SwitchSectionSyntax;
            }
        }

        return false;
    }

    private static bool HasAlphaOverload(IMethodSymbol method, TorchSharpTypes types) =>
        method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(candidate =>
            candidate.Parameters.Length == method.Parameters.Length + 1
            && types.IsScalar(candidate.Parameters[candidate.Parameters.Length - 1].Type)
            && method.Parameters.Select(p => p.Type).SequenceEqual(candidate.Parameters.Take(method.Parameters.Length).Select(p => p.Type), SymbolEqualityComparer.Default));

    private static bool HasDefaultSoftplusArguments(IInvocationOperation invocation) =>
        invocation.Arguments.All(argument => argument.Parameter?.Type.SpecialType != SpecialType.System_Double
            || argument.ArgumentKind == ArgumentKind.DefaultValue
            || (argument.Value.ConstantValue is { HasValue: true, Value: var v } && argument.Parameter.HasExplicitDefaultValue
                && System.Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture).Equals(System.Convert.ToDouble(argument.Parameter.ExplicitDefaultValue, System.Globalization.CultureInfo.InvariantCulture))));

    private static string? ItemType(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Double => "double",
        SpecialType.System_Single => "float",
        SpecialType.System_Int64 => "long",
        SpecialType.System_Int32 => "int",
        SpecialType.System_Int16 => "short",
        SpecialType.System_Byte => "byte",
        SpecialType.System_SByte => "sbyte",
        SpecialType.System_Boolean => "bool",
        _ => null,
    };

    private static bool IsIntegral(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte;

    private static bool IsNumber(ITypeSymbol? type) =>
        IsIntegral(type) || type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;

    private static string MemberName(ISymbol member)
    {
        string name = member is IMethodSymbol { MethodKind: MethodKind.PropertyGet } getter ? getter.AssociatedSymbol?.Name ?? member.Name : member.Name;
        return $"{member.ContainingType.Name}.{name}";
    }

    private static string Snippet(SyntaxNode node)
    {
        string text = string.Join(" ", node.ToString().Split(new[] { '\r', '\n', ' ', '\t' }, System.StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
