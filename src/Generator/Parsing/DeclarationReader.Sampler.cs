using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Parsing;

internal sealed partial class DeclarationReader
{
    /// <summary>The name of the sampling method a user writes.</summary>
    public const string SamplerName = "Draw";

    private Location? samplerLocation;

    /// <summary>
    /// The user's sampler: an instance method <c>Tensor Draw(long sampleCount, Generator? generator)</c> in the class,
    /// normally <c>private partial</c> (the generated part then writes the defining declaration). A method named
    /// Draw of any other shape is SBG033 at its name, so a wrong signature never silently falls back to no sampler.
    /// </summary>
    private SamplerDeclaration? ReadSampler(INamedTypeSymbol symbol, Compilation compilation, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var candidates = symbol.GetMembers(SamplerName)
            .Where(member => !member.IsImplicitlyDeclared && member.Locations.Any(location => location.IsInSource))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }
        ISymbol first = candidates[0];
        samplerLocation = first.Locations.First(location => location.IsInSource);
        IMethodSymbol? method = candidates.OfType<IMethodSymbol>().FirstOrDefault(HasSamplerShape);
        if (method is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidSamplerSignature, samplerLocation, symbol.Name, Describe(first)));
            return null;
        }
        samplerLocation = method.Locations.First(location => location.IsInSource);
        // A partial method seen from the implementing half: its defining half (the generator's) does not exist yet.
        IMethodSymbol implementation = method.PartialImplementationPart ?? method;
        var syntax = implementation.DeclaringSyntaxReferences.Select(reference => reference.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (syntax is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidSamplerSignature, samplerLocation, symbol.Name, Describe(method)));
            return null;
        }
        bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SamplerWithoutBody, samplerLocation, symbol.Name));
            return null;
        }
        if (method.PartialDefinitionPart is not null || method.PartialImplementationPart is not null)
        {
            // Both halves written by the user: nothing to generate, the method is called as it is.
            isPartial = false;
        }
        if (isPartial && syntax.Modifiers.Any(SyntaxKind.UnsafeKeyword) && compilation.Options is CSharpCompilationOptions { AllowUnsafe: false })
        {
            // The compiler reports the user's 'unsafe' without /unsafe (CS0227); a generated half repeating it would
            // only add the same error in a generated file.
            isPartial = false;
        }
        if (isPartial && !syntax.Modifiers.Any(modifier => modifier.IsKind(SyntaxKind.PrivateKeyword) || modifier.IsKind(SyntaxKind.ProtectedKeyword)
                || modifier.IsKind(SyntaxKind.InternalKeyword) || modifier.IsKind(SyntaxKind.PublicKeyword)))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SamplerWithoutAccessibility, syntax.Identifier.GetLocation(), symbol.Name));
            return null;
        }
        return new SamplerDeclaration(
            string.Join(" ", syntax.Modifiers.Select(modifier => modifier.Text)),
            Escaped(method.Parameters[0].Name),
            Escaped(method.Parameters[1].Name),
            method.Parameters[1].NullableAnnotation == NullableAnnotation.Annotated,
            isPartial);
    }

    private static bool HasSamplerShape(IMethodSymbol method)
        => method is { MethodKind: MethodKind.Ordinary, IsStatic: false, IsGenericMethod: false, ReturnsByRef: false, ReturnsByRefReadonly: false, Parameters.Length: 2 }
            && IsTorchType(method.ReturnType, "Tensor")
            && method.Parameters[0] is { RefKind: RefKind.None, Type.SpecialType: SpecialType.System_Int64 }
            && method.Parameters[1] is { RefKind: RefKind.None, NullableAnnotation: not NullableAnnotation.NotAnnotated }
            && IsTorchType(method.Parameters[1].Type, "Generator");

    private static bool IsTorchType(ITypeSymbol type, string name)
        => type is INamedTypeSymbol { Name: var typeName, ContainingType: { Name: "torch", ContainingNamespace: { Name: "TorchSharp", ContainingNamespace.IsGlobalNamespace: true } } }
            && typeName == name;

    private static readonly SymbolDisplayFormat Shape = new(
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static string Describe(ISymbol member) => member switch
    {
        IMethodSymbol method => method.ToDisplayString(Shape) + " returning " + method.ReturnType.ToDisplayString(Shape)
            + (method.IsStatic ? " (static)" : "")
            + (method.Parameters.Length == 2 && method.Parameters[1].NullableAnnotation == NullableAnnotation.NotAnnotated ? " (the generator must be nullable: null means the global one)" : ""),
        _ => "a " + member.Kind.ToString().ToLowerInvariant(),
    };
}
