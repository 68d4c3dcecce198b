using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Parsing;

/// <summary>
/// Reads the attributes on a <c>[Distribution]</c> class into a <see cref="DistributionDeclaration"/>
/// (plain data), and keeps the syntax needed to turn an analyzer finding back into a precise
/// source location (down to the column inside a formula string). The only Roslyn-aware stage.
/// </summary>
internal sealed partial class DeclarationReader
{
    private readonly Dictionary<DiagnosticSite, SyntaxNode> sites = new();
    private readonly SyntaxNode classIdentifierNode;
    private readonly Location classLocation;

    private DeclarationReader(TypeDeclarationSyntax declaration)
    {
        classIdentifierNode = declaration;
        classLocation = declaration.Identifier.GetLocation();
    }

    /// <summary>The declaration, or null when the class cannot be generated for (then <paramref name="diagnostics"/> says why).</summary>
    public static DistributionDeclaration? Read(GeneratorAttributeSyntaxContext context, List<Diagnostic> diagnostics, out DeclarationReader reader, CancellationToken cancellationToken)
    {
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        reader = new DeclarationReader(syntax);

        if (!IsFirstAttributedPart(syntax, symbol, cancellationToken))
        {
            // [Distribution] on a second part of the class: the compiler reports the duplicate
            // attribute (CS0579), and the first part generates.
            return null;
        }
        if (syntax is RecordDeclarationSyntax record)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotAClass, reader.classLocation, symbol.Name, record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record"));
            return null;
        }
        if (IsFileLocalAnywhere(symbol))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.FileLocalClass, reader.classLocation, symbol.Name));
            return null;
        }
        if (!IsPartialAllTheWayOut(symbol, cancellationToken))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, reader.classLocation, symbol.Name));
            return null;
        }
        if (!CheckClassShape(symbol, context.SemanticModel.Compilation, diagnostics, reader.classLocation, cancellationToken))
        {
            return null;
        }
        int errorsBefore = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);

        var parameters = new List<ParameterDeclaration>();
        var scores = new List<ScoreDeclaration>();
        FormulaDeclaration? characteristic = null, logCharacteristic = null, logDensity = null;
        ReparameterizationDeclaration? reparameterization = null;
        SupportDeclaration? support = null;
        var components = new List<ComponentDeclaration>();
        FormulaDeclaration? composition = null;
        FormulaDeclaration? entropy = null, cdf = null;
        var constraints = new List<ConstraintDeclaration>();
        int fourierOrder = DistributionDeclaration.DefaultFourierOrder;
        int cumulantOrder = DistributionDeclaration.DefaultCumulantOrder;

        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? name = attribute.AttributeClass?.ToDisplayString();
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            if (name is AttributeNames.Distribution or AttributeNames.Parameter or AttributeNames.CharacteristicFunction
                or AttributeNames.LogCharacteristicFunction or AttributeNames.LogDensity or AttributeNames.Score
                or AttributeNames.Reparameterization or AttributeNames.Support or AttributeNames.Component or AttributeNames.Composition
                or AttributeNames.Entropy or AttributeNames.Cdf or AttributeNames.Constraint)
            {
                CheckArguments(attribute, attributeSyntax, diagnostics, reader.classLocation);
            }
            switch (name)
            {
                case AttributeNames.Distribution:
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Value.Value is int value)
                        {
                            if (argument.Key == "FourierOrder") fourierOrder = value;
                            if (argument.Key == "CumulantOrder") cumulantOrder = value;
                            reader.Remember(new DiagnosticSite(SiteKind.DistributionArgument, ArgumentName: argument.Key), NamedArgument(attributeSyntax, argument.Key));
                        }
                    }
                    break;

                case AttributeNames.Parameter:
                    int eventRank = attribute.NamedArguments.FirstOrDefault(a => a.Key == "EventRank").Value.Value is int rank ? rank : 0;
                    var domain = (ParameterDomain)(attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is int domainValue ? domainValue : 0);
                    CheckEnum(domain, "ParameterDomain", PositionalArgument(attribute, attributeSyntax, 1)?.Expression, diagnostics, reader.classLocation);
                    var parameter = new ParameterDeclaration(
                        StringArgument(attribute, 0) ?? "",
                        domain,
                        parameters.Count,
                        eventRank);
                    reader.Remember(new DiagnosticSite(SiteKind.Parameter, Index: parameter.Index), PositionalArgument(attribute, attributeSyntax, 0));
                    reader.Remember(new DiagnosticSite(SiteKind.ParameterEventRank, Index: parameter.Index), NamedArgument(attributeSyntax, "EventRank") ?? (SyntaxNode?)PositionalArgument(attribute, attributeSyntax, 0));
                    parameters.Add(parameter);
                    break;

                case AttributeNames.CharacteristicFunction:
                    characteristic = reader.Formula(FormulaRole.CharacteristicFunction, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.LogCharacteristicFunction:
                    logCharacteristic = reader.Formula(FormulaRole.LogCharacteristicFunction, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.LogDensity:
                    logDensity = reader.Formula(FormulaRole.LogDensity, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.Score:
                    int index = scores.Count;
                    reader.Remember(new DiagnosticSite(SiteKind.ScoreParameter, Index: index), PositionalArgument(attribute, attributeSyntax, 0));
                    scores.Add(new ScoreDeclaration(StringArgument(attribute, 0) ?? "", reader.Formula(FormulaRole.Score, index, attribute, attributeSyntax, 1)));
                    break;

                case AttributeNames.Support:
                    reader.Remember(new DiagnosticSite(SiteKind.Support), attributeSyntax);
                    reader.Remember(new DiagnosticSite(SiteKind.Support, ArgumentName: "Values"), NamedArgument(attributeSyntax, "Values") ?? (SyntaxNode?)attributeSyntax);
                    CheckEnum((SupportKind)(attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int kindValue ? kindValue : 0),
                        "SupportKind", PositionalArgument(attribute, attributeSyntax, 0)?.Expression, diagnostics, reader.classLocation);
                    support = new SupportDeclaration(
                        (SupportKind)(attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int supportKind ? supportKind : 0),
                        attribute.NamedArguments.FirstOrDefault(a => a.Key == "Values").Value.Value as string);
                    break;

                case AttributeNames.Component:
                    components.Add(reader.Component(attribute, attributeSyntax, components.Count));
                    break;

                case AttributeNames.Composition:
                    reader.Remember(new DiagnosticSite(SiteKind.Composition), attributeSyntax);
                    composition = reader.Formula(FormulaRole.Composition, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.Entropy:
                    entropy = reader.Formula(FormulaRole.Entropy, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.Constraint:
                    var constraintDomain = (ParameterDomain)(attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is int constraintValue ? constraintValue : 0);
                    CheckEnum(constraintDomain, "ParameterDomain", PositionalArgument(attribute, attributeSyntax, 1)?.Expression, diagnostics, reader.classLocation);
                    constraints.Add(new ConstraintDeclaration(reader.Formula(FormulaRole.Constraint, constraints.Count, attribute, attributeSyntax, 0), constraintDomain));
                    break;

                case AttributeNames.Cdf:
                    cdf = reader.Formula(FormulaRole.Cdf, 0, attribute, attributeSyntax, 0);
                    break;

                case AttributeNames.Reparameterization:
                    reader.Remember(new DiagnosticSite(SiteKind.Reparameterization), attributeSyntax);
                    var noise = NoiseKind.StandardNormal;
                    FormulaDeclaration? noiseShape = null;
                    foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                    {
                        if (argument.Key == "Noise" && argument.Value.Value is int kind)
                        {
                            noise = (NoiseKind)kind;
                            CheckEnum(noise, "NoiseKind", NamedArgument(attributeSyntax, "Noise")?.Expression, diagnostics, reader.classLocation);
                        }
                        else if (argument.Key == "NoiseShape" && argument.Value.Value is string shape)
                        {
                            noiseShape = new FormulaDeclaration(FormulaRole.NoiseShape, 0, shape);
                            reader.Remember(DiagnosticSite.InFormula(noiseShape), NamedArgument(attributeSyntax, "NoiseShape")?.Expression);
                        }
                    }
                    reparameterization = new ReparameterizationDeclaration(
                        reader.Formula(FormulaRole.Reparameterization, 0, attribute, attributeSyntax, 0), noise, noiseShape);
                    break;
            }
        }

        SamplerDeclaration? sampler = reader.ReadSampler(symbol, context.SemanticModel.Compilation, diagnostics, cancellationToken);

        if (diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) > errorsBefore)
        {
            return null;
        }

        return new DistributionDeclaration(
            ReadTypeLocation(symbol),
            parameters.ToEquatableArray(),
            fourierOrder,
            cumulantOrder,
            characteristic,
            logCharacteristic,
            logDensity,
            scores.ToEquatableArray(),
            reparameterization,
            support,
            components.ToEquatableArray(),
            composition,
            entropy,
            cdf,
            sampler,
            constraints.ToEquatableArray());
    }

    private ComponentDeclaration Component(AttributeData attribute, AttributeSyntax? syntax, int index)
    {
        Remember(new DiagnosticSite(SiteKind.Component, Index: index), PositionalArgument(attribute, syntax, 0));
        Remember(new DiagnosticSite(SiteKind.Component, Index: index, ArgumentName: "Type"), PositionalArgument(attribute, syntax, 1));
        string typeName = "";
        bool isDistribution = false, hasCumulants = false;
        if (attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is INamedTypeSymbol type && type.TypeKind != TypeKind.Error)
        {
            typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var attributeNames = type.GetAttributes().Select(a => a.AttributeClass?.ToDisplayString()).ToList();
            isDistribution = attributeNames.Contains(AttributeNames.Distribution);
            hasCumulants = isDistribution && !attributeNames.Contains(AttributeNames.Support)
                && (attributeNames.Contains(AttributeNames.CharacteristicFunction) || attributeNames.Contains(AttributeNames.LogCharacteristicFunction));
        }

        var formulas = new List<FormulaDeclaration>();
        if (attribute.ConstructorArguments.Length > 2 && attribute.ConstructorArguments[2] is { Kind: TypedConstantKind.Array, IsNull: false })
        {
            var values = attribute.ConstructorArguments[2].Values;
            for (int p = 0; p < values.Length; p++)
            {
                var formula = new FormulaDeclaration(FormulaRole.ComponentParameter, index, values[p].Value as string ?? "", ArgumentIndex: p);
                Remember(DiagnosticSite.InFormula(formula), PositionalArgument(attribute, syntax, 2 + p)?.Expression);
                formulas.Add(formula);
            }
        }
        return new ComponentDeclaration(StringArgument(attribute, 0) ?? "", typeName, isDistribution, index, formulas.ToEquatableArray(), hasCumulants);
    }

    /// <summary>Turns an analyzer finding into a Roslyn diagnostic at the most precise location known.</summary>
    public Diagnostic ToDiagnostic(AnalysisDiagnostic finding)
    {
        return Diagnostic.Create(finding.Descriptor, Locate(finding.Site, finding.Span), finding.Arguments);
    }

    private Location Locate(DiagnosticSite site, SourceSpan span)
    {
        if (site.Kind == SiteKind.Sampler && samplerLocation is not null)
        {
            return samplerLocation;
        }
        if (site.Kind == SiteKind.Class || !sites.TryGetValue(site, out SyntaxNode? node))
        {
            return classLocation;
        }
        if (site.Kind == SiteKind.Formula && !span.IsNone && node is LiteralExpressionSyntax literal)
        {
            int? contentStart = ContentStart(literal.Token);
            if (contentStart is int start && span.End <= literal.Token.ValueText.Length)
            {
                // Point at the exact characters inside the string; an empty span still marks a column.
                return Location.Create(literal.SyntaxTree, new Microsoft.CodeAnalysis.Text.TextSpan(start + span.Start, span.Length));
            }
        }
        return node.GetLocation();
    }

    /// <summary>
    /// Where the string's characters begin in the file, when offsets in its value equal offsets in
    /// its source text (no escape sequences); null otherwise, and the whole literal is reported.
    /// </summary>
    private static int? ContentStart(SyntaxToken token)
    {
        string text = token.Text;
        string value = token.ValueText;
        if (token.IsKind(SyntaxKind.StringLiteralToken))
        {
            if (text.Length == value.Length + 2 && text[0] == '"')
            {
                return token.SpanStart + 1;
            }
            if (text.Length == value.Length + 3 && text[0] == '@')
            {
                return token.SpanStart + 2;
            }
        }
        return null;
    }

    private FormulaDeclaration Formula(FormulaRole role, int index, AttributeData attribute, AttributeSyntax? syntax, int argumentIndex)
    {
        var formula = new FormulaDeclaration(role, index, StringArgument(attribute, argumentIndex) ?? "");
        Remember(DiagnosticSite.InFormula(formula), PositionalArgument(attribute, syntax, argumentIndex)?.Expression);
        return formula;
    }

    private void Remember(DiagnosticSite site, SyntaxNode? node)
    {
        if (node is not null)
        {
            sites[site] = node;
        }
    }

    private static string? StringArgument(AttributeData attribute, int index)
        => attribute.ConstructorArguments.Length > index ? attribute.ConstructorArguments[index].Value as string : null;

    /// <summary>
    /// The argument bound to constructor parameter <paramref name="index"/> (or, past a params
    /// parameter, the index-th argument), written positionally or by name (<c>formula: "…"</c>).
    /// </summary>
    private static AttributeArgumentSyntax? PositionalArgument(AttributeData attribute, AttributeSyntax? syntax, int index)
    {
        if (syntax?.ArgumentList is null)
        {
            return null;
        }
        var arguments = syntax.ArgumentList.Arguments.Where(a => a.NameEquals is null).ToList();
        var constructorParameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        if (index < constructorParameters.Length
            && arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == constructorParameters[index].Name) is { } named)
        {
            return named;
        }
        return index < arguments.Count && arguments[index].NameColon is null ? arguments[index] : null;
    }

    private static AttributeArgumentSyntax? NamedArgument(AttributeSyntax? syntax, string name)
        => syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    /// <summary>SBG026 for each argument written as null: names, formulas, types and value lists are all required.</summary>
    private static void CheckArguments(AttributeData attribute, AttributeSyntax? syntax, List<Diagnostic> diagnostics, Location fallback)
    {
        string attributeName = attribute.AttributeClass?.Name is { } className && className.EndsWith("Attribute", System.StringComparison.Ordinal)
            ? className.Substring(0, className.Length - "Attribute".Length)
            : attribute.AttributeClass?.Name ?? "";
        var constructorParameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        for (int index = 0; index < attribute.ConstructorArguments.Length; index++)
        {
            TypedConstant argument = attribute.ConstructorArguments[index];
            if (argument.IsNull)
            {
                string parameterName = index < constructorParameters.Length ? constructorParameters[index].Name : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NullArgument, PositionalArgument(attribute, syntax, index)?.Expression.GetLocation() ?? syntax?.GetLocation() ?? fallback, parameterName, attributeName));
            }
            else if (argument.Kind == TypedConstantKind.Array)
            {
                for (int element = 0; element < argument.Values.Length; element++)
                {
                    if (argument.Values[element].IsNull)
                    {
                        diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NullArgument, PositionalArgument(attribute, syntax, index + element)?.Expression.GetLocation() ?? syntax?.GetLocation() ?? fallback,
                            (index < constructorParameters.Length ? constructorParameters[index].Name : "") + "[" + element.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", attributeName));
                    }
                }
            }
        }
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Value.IsNull)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NullArgument, NamedArgument(syntax, argument.Key)?.Expression.GetLocation() ?? syntax?.GetLocation() ?? fallback, argument.Key, attributeName));
            }
        }
    }

    /// <summary>SBG025 when an enum argument cast from a number (<c>(ParameterDomain)42</c>) names no member.</summary>
    private static void CheckEnum<TEnum>(TEnum value, string enumName, SyntaxNode? argument, List<Diagnostic> diagnostics, Location fallback)
        where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(typeof(TEnum), value))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidEnumArgument, argument?.GetLocation() ?? fallback,
                "(" + enumName + ")" + System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture),
                enumName,
                string.Join(", ", System.Enum.GetNames(typeof(TEnum)).Select(member => enumName + "." + member))));
        }
    }

    /// <summary>Whether <paramref name="syntax"/> is the part of the class that carries its (first) [Distribution].</summary>
    private static bool IsFirstAttributedPart(TypeDeclarationSyntax syntax, INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        AttributeData? first = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == AttributeNames.Distribution);
        SyntaxNode? owner = first?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
        return owner is null || owner == syntax;
    }

    /// <summary>SBG027 (static), SBG028 (primary constructor), SBG029 (no parameterless base constructor).</summary>
    private static bool CheckClassShape(INamedTypeSymbol symbol, Compilation compilation, List<Diagnostic> diagnostics, Location classLocation, CancellationToken cancellationToken)
    {
        bool ok = true;
        if (symbol.IsStatic)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.StaticClass, classLocation, symbol.Name));
            ok = false;
        }
        foreach (SyntaxReference reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: { } parameterList })
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.PrimaryConstructor, parameterList.GetLocation(), symbol.Name));
                ok = false;
            }
        }
        if (symbol.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: TypeKind.Class } baseType
            && !baseType.InstanceConstructors.Any(constructor => constructor.Parameters.All(p => p.IsOptional || p.IsParams) && compilation.IsSymbolAccessibleWithin(constructor, symbol)))
        {
            Location location = symbol.DeclaringSyntaxReferences
                .Select(reference => reference.GetSyntax(cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .Select(declaration => declaration.BaseList?.Types.FirstOrDefault())
                .FirstOrDefault(type => type is not null)?.GetLocation() ?? classLocation;
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NoBaseConstructor, location, symbol.Name, baseType.ToDisplayString()));
            ok = false;
        }
        return ok;
    }

    /// <summary>The class, or a type containing it, is declared <c>file</c>: no other file can add to it.</summary>
    private static bool IsFileLocalAnywhere(INamedTypeSymbol symbol)
    {
        for (INamedTypeSymbol? type = symbol; type is not null; type = type.ContainingType)
        {
            if (type.IsFileLocal)
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsPartialAllTheWayOut(INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        for (INamedTypeSymbol? type = symbol; type is not null; type = type.ContainingType)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                    && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static TypeLocation ReadTypeLocation(INamedTypeSymbol symbol)
    {
        var containing = new List<ContainingType>();
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            string keyword = type.IsRecord
                ? (type.IsValueType ? "record struct" : "record")
                : type.TypeKind switch
                {
                    TypeKind.Struct => "struct",
                    TypeKind.Interface => "interface",
                    _ => "class",
                };
            containing.Insert(0, new ContainingType(keyword, NameWithTypeParameters(type)));
        }
        string? ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        return new TypeLocation(ns, containing.ToEquatableArray(), NameWithTypeParameters(symbol), SyntaxFacts.GetText(symbol.DeclaredAccessibility), MetadataName(symbol));
    }

    /// <summary>
    /// The type's full metadata name (<c>A.B+N</c>, <c>G`1</c>, no '@'): unique in the compilation, so
    /// hint names made from it never collide.
    /// </summary>
    private static string MetadataName(INamedTypeSymbol symbol)
    {
        string name = symbol.MetadataName;
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            name = type.MetadataName + "+" + name;
        }
        for (INamespaceSymbol? ns = symbol.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            name = ns.MetadataName + "." + name;
        }
        return name;
    }

    private static string NameWithTypeParameters(INamedTypeSymbol type)
        => type.TypeParameters.IsEmpty ? Escaped(type.Name) : Escaped(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(p => Escaped(p.Name))) + ">";

    /// <summary>A name as C# source must write it: <c>@class</c> for a keyword.</summary>
    private static string Escaped(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.RecordKeyword ? "@" + name : name;
}
