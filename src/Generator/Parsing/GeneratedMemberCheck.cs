using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Emit;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Parsing;

/// <summary>
/// SBG031: a member or type parameter of the user's part that the generated part declares too. The
/// generated members depend on every capability the analysis found, so the check reads them from
/// the emitted text itself rather than from a second list that could drift from the emitter.
/// </summary>
internal static class GeneratedMemberCheck
{
    /// <param name="generatedText">The generated part, as emitted.</param>
    /// <param name="hasSampler">The user writes the sampler Draw, which the generated part declares or calls: not a clash.</param>
    public static bool Passes(string generatedText, bool hasSampler, INamedTypeSymbol symbol, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var generated = GeneratedMembers(generatedText, symbol, cancellationToken);
        bool passes = true;
        foreach (ITypeParameterSymbol typeParameter in symbol.TypeParameters)
        {
            if (generated.ContainsKey(typeParameter.Name) && typeParameter.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MemberClash, location, symbol.Name, typeParameter.Name));
                passes = false;
            }
        }
        foreach (ISymbol member in symbol.GetMembers())
        {
            // The user's sampler is the other half of the generated partial Draw (or called by it): not a clash.
            bool isSampler = hasSampler && member is IMethodSymbol && member.Name == DeclarationReader.SamplerName;
            if (isSampler || member.IsImplicitlyDeclared || member is IMethodSymbol { MethodKind: not MethodKind.Ordinary }
                || !generated.TryGetValue(member.Name, out List<int?>? arities)
                || member.Locations.FirstOrDefault(l => l.IsInSource) is not { } location)
            {
                continue;
            }
            // Methods of different arity overload each other; anything else of one name clashes.
            if (member is IMethodSymbol method && arities.All(arity => arity is not null && arity != method.Parameters.Length))
            {
                continue;
            }
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MemberClash, location, symbol.Name, member.Name));
            passes = false;
        }
        return passes;
    }

    /// <summary>The names the generated part of <paramref name="symbol"/> declares, each with its methods' parameter counts (null for a non-method).</summary>
    private static Dictionary<string, List<int?>> GeneratedMembers(string text, INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, List<int?>>(System.StringComparer.Ordinal);
        int nesting = 0;
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            nesting++;
        }
        SyntaxNode root = CSharpSyntaxTree.ParseText(text, cancellationToken: cancellationToken).GetRoot(cancellationToken);
        TypeDeclarationSyntax? declaration = root.DescendantNodes()
            .OfType<TypeDeclarationSyntax>()
            .FirstOrDefault(t => t.Identifier.ValueText == symbol.Name && t.Ancestors().OfType<TypeDeclarationSyntax>().Count() == nesting);
        if (declaration is null)
        {
            return names;
        }
        void Add(string name, int? arity)
        {
            if (!names.TryGetValue(name, out List<int?>? arities))
            {
                names[name] = arities = new List<int?>();
            }
            arities.Add(arity);
        }
        foreach (MemberDeclarationSyntax member in declaration.Members)
        {
            switch (member)
            {
                case MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method:
                    Add(method.Identifier.ValueText, method.ParameterList.Parameters.Count);
                    break;
                case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property:
                    Add(property.Identifier.ValueText, null);
                    break;
                case BaseFieldDeclarationSyntax field:
                    foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                    {
                        Add(variable.Identifier.ValueText, null);
                    }
                    break;
                case BaseTypeDeclarationSyntax type:
                    Add(type.Identifier.ValueText, null);
                    break;
            }
        }
        return names;
    }
}
