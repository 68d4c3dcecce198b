using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;
using StochasticBackprop.Generator.Series;

namespace StochasticBackprop.Generator.Analysis;

internal sealed record AnalysisResult(DistributionSpec? Spec, ImmutableArray<AnalysisDiagnostic> Diagnostics);

/// <summary>
/// Checks a declaration and derives everything the emitter needs: parses every formula,
/// expands the characteristic function into cumulants, differentiates the log density into
/// scores and the cumulants into their gradients, and renders each as a comment and as C#.
/// Pure: no Roslyn types in or out, so it is tested directly.
/// </summary>
internal sealed class DistributionAnalyzer
{
    public const string FrequencyVariable = "w";
    public const string DensityVariable = "z";
    public const string NoiseVariable = "eps";

    /// <summary>
    /// The implicit ∂eps/∂shape of Gamma noise inside a Jacobian formula: a symbol no declaration can write
    /// (it is not an identifier), printed as it reads, and the local the generated code holds it in.
    /// </summary>
    public const string ShapeGradientSymbol = "∂eps/∂shape";

    private const string ShapeGradientLocal = "epsShapeGradient";

    private static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "i", "pi", FrequencyVariable, DensityVariable, NoiseVariable,
    };

    /// <summary>
    /// Arguments and locals of the generated methods that also hold the parameters as locals; a
    /// parameter of one of these names would not compile (ParameterNamedLikeAGeneratedIdentifier test).
    /// </summary>
    private static readonly HashSet<string> GeneratedLocalNames = new(StringComparer.Ordinal)
    {
        "sampleCount", "generator", "order", "shape", "blocks", "block", "arguments", "components", "wanted", "value", ShapeGradientLocal,
    };

    /// <summary>Members the generated part declares: a parameter's property must not take one of these names.</summary>
    private static readonly HashSet<string> GeneratedMemberNames = new(StringComparer.Ordinal)
    {
        "Name", "ParameterNames", "Parameters", "BatchShape", "IsImplicit", "Sample", "Reparameterize", "LogDensity", "Score",
        "FourierOrder", "CumulantOrder", "CumulantVanishes", "Cumulant", "CumulantGradient", "CheckCumulantOrder",
        "ParameterNameList", "DrawWithJacobian", "ScoreTable", "ScoreKernel", "SupportValueList", "ParameterEventRankList",
        "SupportValues", "ParameterEventRanks", "Probabilities",
        "CumulantGeneratingFunction", "FactorialCumulantOrder", "FactorialCumulantVanishes", "FactorialCumulant", "FactorialCumulantGradient", "CheckFactorialCumulantOrder",
        "ComponentNames", "Components", "Compose", "ComponentNameList", "ComponentParameters", "MapDependsOnParameters",
        "CharacteristicFunction", Emit.CharacteristicFunctionWriter.HelperName,
        "LogProb", "RSample", "Mean", "Variance", "Entropy", "Cdf",
        // The user's sampler, and the fallback part's constant and helper (a declaration with errors).
        "Draw", "DeclarationErrors", "Unavailable",
    };

    private readonly DistributionDeclaration declaration;
    private readonly List<AnalysisDiagnostic> diagnostics = new();
    private readonly HashSet<string> used = new(StringComparer.Ordinal);
    private bool formulaFailedToParse;
    private readonly List<string> parameterNames;
    private readonly Dictionary<string, string> parameterCode;

    private DistributionAnalyzer(DistributionDeclaration declaration)
    {
        this.declaration = declaration;
        parameterNames = declaration.Parameters.Select(p => p.Name).ToList();
        // A name declared twice is reported by CheckParameters; the first declaration stands.
        parameterCode = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ParameterDeclaration parameter in declaration.Parameters)
        {
            if (!parameterCode.ContainsKey(parameter.Name))
            {
                parameterCode.Add(parameter.Name, LocalName(parameter.Name));
            }
        }
    }

    private string Name => declaration.Type.ClassName;

    public static AnalysisResult Analyze(DistributionDeclaration declaration)
    {
        var analyzer = new DistributionAnalyzer(declaration);
        DistributionSpec? spec = analyzer.Run();
        bool failed = analyzer.diagnostics.Any(d => d.Descriptor.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        return new AnalysisResult(failed ? null : spec, analyzer.diagnostics.ToImmutableArray());
    }

    private DistributionSpec? Run()
    {
        CheckOrders();
        CheckParameters();

        bool hasCharacteristic = declaration.CharacteristicFunction is not null || declaration.LogCharacteristicFunction is not null;
        bool declaresComposition = declaration.Composition is not null || declaration.Components.Count > 0;
        // A pathwise map (or a composition, pathwise through its blocks) is an estimator of its own.
        if (!hasCharacteristic && declaration.LogDensity is null && declaration.Scores.Count == 0
            && declaration.Reparameterization is null && !declaresComposition)
        {
            Report(DiagnosticDescriptors.NoEstimator, DiagnosticSite.Class, Name);
        }
        if (declaration.CharacteristicFunction is not null && declaration.LogCharacteristicFunction is not null)
        {
            Report(DiagnosticDescriptors.ConflictingDeclarations_BothCharacteristicFunctionForms, DiagnosticSite.InFormula(declaration.LogCharacteristicFunction), Name);
        }

        SupportKind support = declaration.Support?.Kind ?? SupportKind.Continuous;
        bool isDiscrete = support != SupportKind.Continuous;
        bool isFinite = support is SupportKind.Finite or SupportKind.Categories;
        bool hasComposition = declaration.Composition is not null || declaration.Components.Count > 0;
        CheckDiscreteDeclarations(support, hasComposition);
        CheckSampler(isFinite, hasComposition);

        SupportSpec? supportSpec = isDiscrete ? AnalyzeSupport(support) : null;
        // On the integers the characteristic function is expanded in t = e^{iw} − 1 (factorial cumulants) instead.
        bool integerSupport = support == SupportKind.Counts
            || (support == SupportKind.Finite && supportSpec is not null && supportSpec.Values.All(v => v == Math.Floor(v)));
        CumulantSpec? cumulants = isDiscrete ? null : AnalyzeCumulants(factorial: false);
        CumulantSpec? factorialCumulants = integerSupport ? AnalyzeCumulants(factorial: true) : null;
        CumulantGeneratingFunctionSpec? cumulantGeneratingFunction = cumulants is not null || factorialCumulants is not null
            ? AnalyzeCumulantGeneratingFunction()
            : null;
        if (support == SupportKind.Categories && (declaration.CharacteristicFunction ?? declaration.LogCharacteristicFunction) is { } categoriesCharacteristic)
        {
            Report(DiagnosticDescriptors.ConflictingDeclarations_CharacteristicFunctionOfCategories, DiagnosticSite.InFormula(categoriesCharacteristic), Name);
        }
        DensitySpec? density = isFinite ? null : AnalyzeDensity();
        if (isFinite)
        {
            for (int index = 0; index < declaration.Scores.Count; index++)
            {
                Report(DiagnosticDescriptors.ConflictingDeclarations_ScoreOfFiniteSupport, new DiagnosticSite(SiteKind.ScoreParameter, Index: index), Name);
            }
        }
        CompositionSpec? composition = hasComposition ? AnalyzeComposition() : null;
        ReparameterizationSpec? reparameterization = isDiscrete || hasComposition ? null : AnalyzeReparameterization();
        DerivedFormula? entropy = AnalyzeEntropy();
        EquatableArray<ConstraintSpec> constraints = AnalyzeConstraints();
        DerivedFormula? cdf = AnalyzeCdf(support);

        // A formula that failed to parse may well use the parameter: no warning then, the error is the one mistake.
        foreach (ParameterDeclaration parameter in formulaFailedToParse ? Enumerable.Empty<ParameterDeclaration>() : declaration.Parameters)
        {
            if (!used.Contains(parameter.Name) && IsValidParameterName(parameter.Name))
            {
                Report(DiagnosticDescriptors.UnusedParameter, new DiagnosticSite(SiteKind.Parameter, Index: parameter.Index), parameter.Name, Name);
            }
        }

        bool hasSampler = reparameterization is not null || composition is not null || (supportSpec is not null && (isFinite || density is not null))
            || (declaration.Sampler is not null && !isFinite);
        if (!hasSampler)
        {
            return null;
        }

        string hintName = declaration.Type.MetadataName + ".g.cs";

        return new DistributionSpec(
            declaration.Type,
            hintName,
            declaration.Parameters.Select(p => new ParameterSpec(p.Name, PropertyName(p.Name), LocalName(p.Name), p.Domain, p.EventRank)).ToEquatableArray(),
            declaration.FourierOrder,
            declaration.CumulantOrder,
            cumulants,
            density,
            reparameterization,
            supportSpec,
            composition,
            factorialCumulants,
            cumulantGeneratingFunction,
            entropy,
            cdf,
            cumulants is not null || factorialCumulants is not null ? AnalyzeCharacteristicFunction() : null,
            declaration.Sampler,
            constraints);
    }

    /// <summary>[Constraint]: each a formula in the parameters, rendered for the constructor's check (SBG034 when it names no parameter or asks for a simplex).</summary>
    private EquatableArray<ConstraintSpec> AnalyzeConstraints()
    {
        var constraints = new List<ConstraintSpec>();
        foreach (ConstraintDeclaration constraint in declaration.Constraints)
        {
            Expr? condition = Parse(constraint.Formula, (string?)null);
            if (condition is null)
            {
                continue;
            }
            var site = DiagnosticSite.InFormula(constraint.Formula);
            string? first = parameterNames.FirstOrDefault(name => ContainsParameter(condition, name));
            if (first is null)
            {
                Report(DiagnosticDescriptors.ConstraintWithoutParameter, site, Name, constraint.Formula.Text);
                continue;
            }
            if (constraint.Domain == ParameterDomain.Simplex)
            {
                Report(DiagnosticDescriptors.ConstraintOnSimplex, site, Name);
                continue;
            }
            if (Render(condition, constraint.Formula, simplify: false) is { } value)
            {
                constraints.Add(new ConstraintSpec(constraint.Formula.Text, value, constraint.Domain, first));
            }
        }
        return constraints.ToEquatableArray();
    }

    private static bool ContainsParameter(Expr expression, string name) => Substitution.Mentions(expression, name);

    /// <summary>
    /// A sampler written in C# (<c>Draw</c>) samples the distribution by itself: beside a pathwise map, a composition or
    /// a probability table, each of which samples it too, one of the two would be ignored (SBG013). On the integers it
    /// replaces the generated inverse-CDF sampler.
    /// </summary>
    private void CheckSampler(bool isFinite, bool hasComposition)
    {
        if (declaration.Sampler is null)
        {
            return;
        }
        string? other = declaration.Reparameterization is not null ? "a [Reparameterization]"
            : hasComposition ? "a [Composition]"
            : isFinite ? "a finite [Support], whose probability table samples it"
            : null;
        if (other is not null)
        {
            Report(DiagnosticDescriptors.ConflictingSampler, new DiagnosticSite(SiteKind.Sampler), Name, other);
        }
    }

    /// <summary>
    /// [Entropy]: a formula in the parameters, emitted as written. For a distribution over vectors it must be one
    /// number per event, so every event parameter has to sit inside a reduction over the event axis (SBG013 otherwise).
    /// </summary>
    private DerivedFormula? AnalyzeEntropy()
    {
        if (declaration.Entropy is not { } formula)
        {
            return null;
        }
        Expr? entropy = Parse(formula, (string?)null);
        if (entropy is null)
        {
            return null;
        }
        if (EventParameterOutsideReduction(entropy) is { } outside)
        {
            diagnostics.Add(new AnalysisDiagnostic(DiagnosticDescriptors.ConflictingDeclarations_EntropyOutsideReduction, DiagnosticSite.InFormula(formula), outside.Span, Name, outside.Name));
            return null;
        }
        return Render(entropy, formula, simplify: false);
    }

    /// <summary>[Cdf]: a formula in z and the parameters, emitted as written; refused (SBG013) for a distribution over vectors.</summary>
    private DerivedFormula? AnalyzeCdf(SupportKind support)
    {
        if (declaration.Cdf is not { } formula)
        {
            return null;
        }
        Expr? cdf = Parse(formula, DensityVariable);
        if (cdf is null)
        {
            return null;
        }
        if (support == SupportKind.Categories || declaration.Parameters.FirstOrDefault(p => p.EventRank == 1) is not null)
        {
            Report(DiagnosticDescriptors.ConflictingDeclarations_CdfOverVectors, DiagnosticSite.InFormula(formula), Name);
            return null;
        }
        return Render(cdf, formula, simplify: false);
    }

    /// <summary>The first occurrence of an event-axis parameter not inside sum(…) or logsumexp(…), or null.</summary>
    private SymbolExpr? EventParameterOutsideReduction(Expr expression)
    {
        var pending = new Stack<Expr>();
        pending.Push(expression);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case SymbolExpr symbol when IsEventParameter(symbol.Name):
                    return symbol;
                case NegateExpr negate:
                    pending.Push(negate.Operand);
                    break;
                case BinaryExpr binary:
                    pending.Push(binary.Right);
                    pending.Push(binary.Left);
                    break;
                case CallExpr { Function: FunctionKind.Sum or FunctionKind.Logsumexp }:
                    break;
                case CallExpr call:
                    pending.Push(call.Argument);
                    break;
            }
        }
        return null;
    }

    /// <summary>SBG018 (a lattice characteristic function without [Support]) and SBG019 (a discrete support with a pathwise map).</summary>
    private void CheckDiscreteDeclarations(SupportKind support, bool hasComposition)
    {
        if (support != SupportKind.Continuous)
        {
            string kind = "SupportKind." + support;
            if (declaration.Reparameterization is not null)
            {
                Report(DiagnosticDescriptors.DiscreteReparameterization, new DiagnosticSite(SiteKind.Reparameterization), Name, kind, "Reparameterization");
            }
            if (hasComposition)
            {
                Report(DiagnosticDescriptors.DiscreteReparameterization, new DiagnosticSite(SiteKind.Composition), Name, kind, "Composition");
            }
            return;
        }

        if (declaration.Reparameterization is null && !hasComposition
            && (declaration.CharacteristicFunction ?? declaration.LogCharacteristicFunction) is { } formula
            && FormulaParser.Parse(formula.Text, new FormulaScope(new[] { FrequencyVariable }, parameterNames)) is { Errors.Count: 0, Root: { } root }
            && LatticeCheck.IsLattice(root, FrequencyVariable))
        {
            Report(DiagnosticDescriptors.DiscreteWithoutSupport, DiagnosticSite.InFormula(formula), Name);
        }
    }

    private SupportSpec? AnalyzeSupport(SupportKind kind)
    {
        var site = new DiagnosticSite(SiteKind.Support);
        var values = new List<double>();
        if (kind == SupportKind.Finite)
        {
            string? text = declaration.Support!.Values;
            var valuesSite = new DiagnosticSite(SiteKind.Support, ArgumentName: "Values");
            if (string.IsNullOrWhiteSpace(text))
            {
                Report(DiagnosticDescriptors.InvalidSupport_MissingValues, valuesSite);
                return null;
            }
            foreach (string item in text!.Split(','))
            {
                if (!double.TryParse(item.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity(value))
                {
                    Report(DiagnosticDescriptors.InvalidSupport_ValueNotANumber, valuesSite, item.Trim());
                    return null;
                }
                if (values.Count > 0 && value <= values[values.Count - 1])
                {
                    Report(DiagnosticDescriptors.InvalidSupport_ValuesNotIncreasing, valuesSite, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), values[values.Count - 1].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    return null;
                }
                values.Add(value);
            }
            if (values.Count < 2)
            {
                Report(DiagnosticDescriptors.InvalidSupport_SingleValue, valuesSite);
                return null;
            }
        }
        else if (declaration.Support!.Values is not null)
        {
            Report(DiagnosticDescriptors.InvalidSupport_ValuesWithoutFinite, new DiagnosticSite(SiteKind.Support, ArgumentName: "Values"), kind.ToString());
            return null;
        }

        if (kind == SupportKind.Categories && !declaration.Parameters.Any(p => p.EventRank == 1))
        {
            Report(DiagnosticDescriptors.InvalidSupport_CategoriesWithoutEventAxis, site, Name);
            return null;
        }
        if (declaration.LogDensity is not { } logDensityFormula)
        {
            Report(DiagnosticDescriptors.InvalidSupport_MissingLogDensity, site, Name);
            return null;
        }

        var probabilities = new List<DerivedFormula>();
        if (kind == SupportKind.Finite)
        {
            Expr? logDensity = Parse(logDensityFormula, DensityVariable);
            if (logDensity is null) return null;
            foreach (double value in values)
            {
                // p(z = v) = exp(log p(v)), simplified: exp(z*log(p) + (1 - z)*log(1 - p)) at z = 1 is p.
                Expr at = Substitution.Substitute(logDensity, DensityVariable, new NumberExpr(value));
                DerivedFormula? probability = Render(new CallExpr(FunctionKind.Exp, at), logDensityFormula);
                if (probability is null) return null;
                probabilities.Add(probability);
            }
            return new SupportSpec(kind, values.ToEquatableArray(), probabilities.ToEquatableArray(), DeriveScoreTable(logDensity, values));
        }
        else if (kind == SupportKind.Categories)
        {
            // Written for every category at once, elementwise over the event axis: no z.
            Expr? logDensity = Parse(logDensityFormula, (string?)null);
            if (logDensity is null) return null;
            DerivedFormula? probability = Render(new CallExpr(FunctionKind.Exp, logDensity), logDensityFormula);
            if (probability is null) return null;
            probabilities.Add(probability);
        }
        return new SupportSpec(kind, values.ToEquatableArray(), probabilities.ToEquatableArray());
    }

    private CompositionSpec? AnalyzeComposition()
    {
        if (declaration.Composition is not { } formula)
        {
            Report(DiagnosticDescriptors.InvalidComposition_MissingComposition, new DiagnosticSite(SiteKind.Component, Index: 0), Name);
            return null;
        }
        if (declaration.Components.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidComposition_MissingComponent, new DiagnosticSite(SiteKind.Composition), Name);
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<ComponentSpec>();
        bool failed = false;
        foreach (ComponentDeclaration component in declaration.Components)
        {
            var site = new DiagnosticSite(SiteKind.Component, Index: component.Index);
            if (!IsValidParameterName(component.Name) || parameterNames.Contains(component.Name))
            {
                Report(DiagnosticDescriptors.InvalidComposition_InvalidName, site, component.Name);
                failed = true;
                continue;
            }
            if (component.Name is "parameters" or "components")
            {
                Report(DiagnosticDescriptors.InvalidComposition_ComposeArgumentName, site, component.Name);
                failed = true;
                continue;
            }
            if (!names.Add(component.Name))
            {
                Report(DiagnosticDescriptors.InvalidComposition_Duplicate, site, component.Name);
                failed = true;
                continue;
            }
            if (!component.IsDistribution)
            {
                Report(component.TypeName.Length == 0 ? DiagnosticDescriptors.InvalidComposition_MissingType : DiagnosticDescriptors.InvalidComposition_NotADistribution,
                    new DiagnosticSite(SiteKind.Component, Index: component.Index, ArgumentName: "Type"),
                    component.Name, component.TypeName.Replace("global::", ""));
                failed = true;
                continue;
            }
            var arguments = new List<DerivedFormula>();
            foreach (FormulaDeclaration argument in component.Parameters)
            {
                Expr? parsed = Parse(argument, (string?)null);
                DerivedFormula? rendered = parsed is null ? null : Render(parsed, argument, simplify: false);
                if (rendered is null)
                {
                    failed = true;
                    continue;
                }
                arguments.Add(rendered);
            }
            components.Add(new ComponentSpec(component.Name, LocalName(component.Name), component.TypeName, arguments.ToEquatableArray()));
        }

        var scope = new FormulaScope(declaration.Components.Select(c => c.Name).ToArray(), parameterNames);
        Expr? map = Parse(formula, scope);
        if (failed || map is null)
        {
            return null;
        }
        var code = new Dictionary<string, string>(parameterCode, StringComparer.Ordinal);
        foreach (ComponentSpec component in components)
        {
            code[component.Name] = component.LocalName;
        }
        DerivedFormula? mapSpec = Render(map, formula, simplify: false, symbolCode: code);
        // A map that names the composite's own parameters (mu + sigma*x/sqrt(g)) gets them as locals in Compose.
        bool mapUsesParameters = parameterNames.Any(parameter => Differentiator.DependsOn(map, parameter));
        return mapSpec is null ? null : new CompositionSpec(components.ToEquatableArray(), mapSpec, mapUsesParameters, AffineMap(map));
    }

    /// <summary>
    /// z = a₀ + Σ_c a_c·ζ_c when the map is affine in the blocks (each ∂z/∂ζ_c free of every block), every block has
    /// cumulants and no parameter has an event axis; null otherwise, silently: the composite is valid, it only has no
    /// Mean and Variance (its cumulants are not derived for a nonlinear map).
    /// </summary>
    private AffineMapSpec? AffineMap(Expr map)
    {
        if (declaration.Parameters.Any(p => p.EventRank != 0) || declaration.Components.Any(c => !c.HasCumulants))
        {
            return null;
        }
        var coefficients = new List<DerivedFormula>();
        Expr offset = map;
        foreach (ComponentDeclaration component in declaration.Components)
        {
            DerivativeResult coefficient = Differentiator.Differentiate(map, component.Name);
            if (coefficient.Result is not { } slope || declaration.Components.Any(other => Differentiator.DependsOn(slope, other.Name)))
            {
                return null;
            }
            Expr simplified = Simplifier.Simplify(slope);
            TensorCode code = TensorCodeWriter.Write(simplified, SymbolCode);
            if (code.Code is null)
            {
                return null;
            }
            coefficients.Add(new DerivedFormula(FormulaPrinter.Print(simplified), code.Code, ContainsSymbol(simplified), simplified is NumberExpr { Value: 0 }));
            offset = Substitution.Substitute(offset, component.Name, new NumberExpr(0));
        }
        Expr shownOffset = Simplifier.Simplify(offset);
        TensorCode offsetCode = TensorCodeWriter.Write(shownOffset, SymbolCode);
        return offsetCode.Code is null
            ? null
            : new AffineMapSpec(new DerivedFormula(FormulaPrinter.Print(shownOffset), offsetCode.Code, ContainsSymbol(shownOffset), shownOffset is NumberExpr { Value: 0 }), coefficients.ToEquatableArray());
    }

    private void CheckOrders()
    {
        int max = DistributionDeclaration.MaxCumulantOrder;
        if (declaration.CumulantOrder < 1 || declaration.CumulantOrder > max)
        {
            Report(DiagnosticDescriptors.OrderOutOfRange, new DiagnosticSite(SiteKind.DistributionArgument, ArgumentName: "CumulantOrder"),
                "CumulantOrder", declaration.CumulantOrder, 1, max);
        }
        else if (declaration.FourierOrder < 1 || declaration.FourierOrder > declaration.CumulantOrder)
        {
            Report(DiagnosticDescriptors.OrderOutOfRange, new DiagnosticSite(SiteKind.DistributionArgument, ArgumentName: "FourierOrder"),
                "FourierOrder", declaration.FourierOrder, 1, declaration.CumulantOrder);
        }
    }

    private void CheckParameters()
    {
        if (declaration.Parameters.Count == 0)
        {
            Report(DiagnosticDescriptors.NoParameter, DiagnosticSite.Class, Name);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var properties = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterDeclaration parameter in declaration.Parameters)
        {
            var site = new DiagnosticSite(SiteKind.Parameter, Index: parameter.Index);
            string property = PropertyName(parameter.Name);
            if (GeneratedLocalNames.Contains(parameter.Name))
            {
                Report(DiagnosticDescriptors.InvalidParameter_GeneratedLocalName, site, parameter.Name, string.Join(", ", GeneratedLocalNames.OrderBy(n => n, StringComparer.Ordinal)));
            }
            else if (!IsValidParameterName(parameter.Name))
            {
                Report(DiagnosticDescriptors.InvalidParameter_NotAnIdentifier, site, parameter.Name);
            }
            else if (!seen.Add(parameter.Name))
            {
                Report(DiagnosticDescriptors.InvalidParameter_Duplicate, site, parameter.Name);
            }
            else if (parameter.EventRank is < 0 or > 1)
            {
                Report(DiagnosticDescriptors.InvalidParameter_EventRankOutOfRange, new DiagnosticSite(SiteKind.ParameterEventRank, Index: parameter.Index), parameter.Name, parameter.EventRank);
            }
            else if (parameter.Domain == ParameterDomain.Simplex && parameter.EventRank != 1)
            {
                Report(DiagnosticDescriptors.InvalidParameter_SimplexWithoutEventAxis, site, parameter.Name);
            }
            else if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(property) || char.IsDigit(property[0]))
            {
                Report(DiagnosticDescriptors.InvalidParameter_PropertyNotAnIdentifier, site, parameter.Name, property);
            }
            else if (IsGeneratedMemberName(property) || property == StripTypeParameters(declaration.Type.ClassName) || !properties.Add(property))
            {
                Report(DiagnosticDescriptors.InvalidParameter_PropertyTaken, site, parameter.Name, property, Name);
            }
        }

        // A distribution over a vector (an event axis) holds the whole vector's log density in every
        // entry of that axis; an elementwise parameter's score would then be counted once per entry.
        // Until scores of such parameters are reduced over the event axis, refuse the mix rather than
        // generate a wrong number.
        if (declaration.Parameters.FirstOrDefault(p => p.EventRank == 1) is { } eventParameter
            && declaration.Parameters.FirstOrDefault(p => p.EventRank == 0) is { } elementwise)
        {
            Report(DiagnosticDescriptors.InvalidParameter_MixedEventRanks, new DiagnosticSite(SiteKind.Parameter, Index: elementwise.Index), elementwise.Name, eventParameter.Name);
        }
    }

    /// <summary>A member the generated part declares: one of <see cref="GeneratedMemberNames"/>, or a score loop's <c>ScorePartsN</c>/<c>ScoreLoopN</c>.</summary>
    private static bool IsGeneratedMemberName(string property)
    {
        if (GeneratedMemberNames.Contains(property))
        {
            return true;
        }
        foreach (string prefix in new[] { "ScoreParts", "ScoreLoop" })
        {
            if (property.Length > prefix.Length && property.StartsWith(prefix, StringComparison.Ordinal) && property.Substring(prefix.Length).All(char.IsDigit))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsValidParameterName(string name)
        => name.Length > 0
           && (char.IsLetter(name[0]) || name[0] == '_')
           && name.All(c => char.IsLetterOrDigit(c) || c == '_')
           && !ReservedNames.Contains(name)
           && !FunctionNames.ByName.ContainsKey(name);

    /// <param name="factorial">
    /// Expand log φ in t = e^{iw} − 1 instead of s = i·w, for the factorial cumulants of an integer
    /// variable: w = −i·log(1 + t) is substituted, written <c>-i*log1p(i*w)</c> in the expander's
    /// variable (which stands for −i·s), and the same expansion in s then yields Σ ζn tⁿ/n!.
    /// </param>
    private CumulantSpec? AnalyzeCumulants(bool factorial)
    {
        bool isLog = declaration.CharacteristicFunction is null;
        FormulaDeclaration? formula = declaration.CharacteristicFunction ?? declaration.LogCharacteristicFunction;
        if (formula is null)
        {
            return null;
        }
        Expr? root = Parse(formula, FrequencyVariable);
        if (root is null || declaration.CumulantOrder < 1 || declaration.CumulantOrder > DistributionDeclaration.MaxCumulantOrder)
        {
            return null;
        }

        if (factorial)
        {
            var w = new SymbolExpr(FrequencyVariable);
            var i = new ImaginaryUnitExpr();
            Expr shifted = new NegateExpr(new BinaryExpr(BinaryOperator.Multiply, i, new CallExpr(FunctionKind.Log1p, new BinaryExpr(BinaryOperator.Multiply, i, w))));
            root = Substitution.Substitute(root, FrequencyVariable, shifted);
        }
        CumulantExpansion expansion = CumulantExpander.Expand(root, isLog, FrequencyVariable, declaration.CumulantOrder);
        if (expansion.Errors.Count > 0)
        {
            foreach (SeriesError error in expansion.Errors)
            {
                diagnostics.Add(new AnalysisDiagnostic(error.Descriptor, DiagnosticSite.InFormula(formula), error.Span, error.Arguments));
            }
            return null;
        }

        var terms = new List<CumulantTermSpec>();
        for (int n = 1; n <= expansion.Cumulants.Count; n++)
        {
            Expr cumulant = Simplifier.Simplify(expansion.Cumulants[n - 1]);
            DerivedFormula? value = Render(cumulant, formula);
            var gradient = new List<DerivedFormula>();
            foreach (string parameter in parameterNames)
            {
                DerivedFormula? derivative = Derive(cumulant, parameter, formula);
                if (value is null || derivative is null)
                {
                    return null;
                }
                gradient.Add(derivative);
            }
            terms.Add(new CumulantTermSpec(n, value!, gradient.ToEquatableArray()));
        }
        return new CumulantSpec(formula.Text, isLog, terms.ToEquatableArray());
    }

    /// <summary>
    /// K(s) = log φ(−i·s) (see <see cref="CumulantGeneratingFunctionDeriver"/>), called once the cumulants
    /// expanded, so the formula parses and is analytic at 0. When K is not evidently real the member is
    /// left out with a hidden SBG022 saying why: the distribution is still valid.
    /// </summary>
    private CumulantGeneratingFunctionSpec? AnalyzeCumulantGeneratingFunction()
    {
        FormulaDeclaration formula = (declaration.CharacteristicFunction ?? declaration.LogCharacteristicFunction)!;
        if (declaration.Parameters.Any(p => p.EventRank == 1))
        {
            Report(DiagnosticDescriptors.NoCumulantGeneratingFunction_EventAxis, DiagnosticSite.InFormula(formula), Name);
            return null;
        }
        if (FormulaParser.Parse(formula.Text, new FormulaScope(new[] { FrequencyVariable }, parameterNames)) is not { Errors.Count: 0, Root: { } root })
        {
            return null;
        }

        // s, unless a parameter is called that.
        string variable = "s";
        while (parameterNames.Contains(variable))
        {
            variable += "_";
        }
        var positive = new HashSet<string>(declaration.Parameters.Where(p => p.Domain == ParameterDomain.Positive).Select(p => p.Name), StringComparer.Ordinal);
        CumulantGeneratingFunctionResult result = CumulantGeneratingFunctionDeriver.Derive(
            root, declaration.CharacteristicFunction is null, FrequencyVariable, variable, positive.Contains, declaration.CumulantOrder);
        if (result.Value is null)
        {
            Report(DiagnosticDescriptors.NoCumulantGeneratingFunction_NotDerived, DiagnosticSite.InFormula(formula), Name, result.Failure!);
            return null;
        }

        var code = new Dictionary<string, string>(parameterCode, StringComparer.Ordinal) { [variable] = variable };
        TensorCode tensorCode = TensorCodeWriter.Write(result.Value, code);
        if (tensorCode.Code is null)
        {
            Report(tensorCode.Error is null ? DiagnosticDescriptors.NoCumulantGeneratingFunction_NoTensorForm : DiagnosticDescriptors.NoCumulantGeneratingFunction_NoTensorCode,
                DiagnosticSite.InFormula(formula), Name, tensorCode.Error ?? "");
            return null;
        }
        var value = new DerivedFormula(FormulaPrinter.Print(result.Value), tensorCode.Code, tensorCode.IsTensor, result.Value is NumberExpr { Value: 0 });
        return new CumulantGeneratingFunctionSpec(value, variable, result.Conditions.ToEquatableArray());
    }

    /// <summary>φ as a run-time member (see <see cref="Emit.CharacteristicFunctionWriter"/>), for elementwise parameters only.</summary>
    private Emit.CharacteristicFunctionSpec? AnalyzeCharacteristicFunction()
    {
        FormulaDeclaration formula = (declaration.CharacteristicFunction ?? declaration.LogCharacteristicFunction)!;
        return declaration.Parameters.All(p => p.EventRank == 0)
            && FormulaParser.Parse(formula.Text, new FormulaScope(new[] { FrequencyVariable }, parameterNames)) is { Errors.Count: 0, Root: { } root }
            ? Emit.CharacteristicFunctionWriter.Describe(formula.Text, root, declaration.CharacteristicFunction is null, parameterNames, parameterNames.Select(LocalName).ToList(), FrequencyVariable)
            : null;
    }

    private DensitySpec? AnalyzeDensity()
    {
        Expr? logDensity = declaration.LogDensity is { } density ? Parse(density, DensityVariable) : null;
        var declared = new Dictionary<string, (Expr? Root, FormulaDeclaration Formula)>(StringComparer.Ordinal);
        for (int index = 0; index < declaration.Scores.Count; index++)
        {
            ScoreDeclaration score = declaration.Scores[index];
            Expr? root = Parse(score.Formula, DensityVariable);
            var site = new DiagnosticSite(SiteKind.ScoreParameter, Index: index);
            if (!parameterNames.Contains(score.Parameter))
            {
                Report(DiagnosticDescriptors.InvalidScore_UnknownParameter, site, score.Parameter, Name, string.Join(", ", parameterNames));
            }
            else if (declared.ContainsKey(score.Parameter))
            {
                Report(DiagnosticDescriptors.InvalidScore_Duplicate, site, score.Parameter);
            }
            else
            {
                declared[score.Parameter] = (root, score.Formula);
            }
        }

        if (declaration.LogDensity is null && declaration.Scores.Count == 0)
        {
            return null;
        }
        if (declaration.LogDensity is not null && logDensity is null)
        {
            // The log density has an error of its own; a missing score beside it would be the same mistake twice.
            return null;
        }

        var scores = new List<ScoreSpec>();
        foreach (string parameter in parameterNames)
        {
            if (declared.TryGetValue(parameter, out var given))
            {
                Expr? simplified = given.Root is null ? null : Simplifier.Simplify(given.Root);
                DerivedFormula? rendered = simplified is null ? null : Render(simplified, given.Formula);
                if (rendered is null) return null;
                scores.Add(new ScoreSpec(parameter, Derived: false, rendered, ScoreKernel(simplified!)));
            }
            else if (logDensity is not null)
            {
                DerivativeResult derivative = Differentiator.Differentiate(logDensity, parameter, IsEventParameter(parameter));
                DerivedFormula? derived = Derive(logDensity, parameter, declaration.LogDensity!, eventwise: IsEventParameter(parameter));
                if (derived is null) return null;
                scores.Add(new ScoreSpec(parameter, Derived: true, derived, derivative.Result is null ? null : ScoreKernel(Simplifier.Simplify(derivative.Result))));
            }
            else
            {
                Report(DiagnosticDescriptors.MissingScore, DiagnosticSite.Class, parameter, Name);
                return null;
            }
        }

        // The log density is the user's own formula: shown and computed as written.
        DerivedFormula? logDensitySpec = logDensity is null ? null : Render(logDensity, declaration.LogDensity!, simplify: false);
        if (logDensity is not null && logDensitySpec is null)
        {
            return null;
        }
        return new DensitySpec(logDensitySpec, scores.ToEquatableArray());
    }

    /// <summary>The score as a one-pass loop (<see cref="ScalarKernelWriter"/>); none for event-axis parameters, whose score is not elementwise.</summary>
    private ScalarKernel? ScoreKernel(Expr score)
        => declaration.Parameters.Any(p => p.EventRank != 0) ? null : ScalarKernelWriter.Write(score, DensityVariable, "zi", parameterCode);

    private ReparameterizationSpec? AnalyzeReparameterization()
    {
        if (declaration.Reparameterization is not { } reparameterization)
        {
            // With nothing to estimate (SBG008) or a discrete law without its support (SBG018), the missing sampler is the same mistake.
            if (declaration.Sampler is null && !diagnostics.Any(d => d.Descriptor == DiagnosticDescriptors.DiscreteWithoutSupport || d.Descriptor == DiagnosticDescriptors.NoEstimator))
            {
                Report(DiagnosticDescriptors.NoSampler, DiagnosticSite.Class, Name);
            }
            return null;
        }

        var site = new DiagnosticSite(SiteKind.Reparameterization);
        bool needsShape = reparameterization.Noise == NoiseKind.StandardGamma;
        if (needsShape && reparameterization.NoiseShape is null)
        {
            Report(DiagnosticDescriptors.InvalidNoise_MissingShape, site);
        }
        else if (!needsShape && reparameterization.NoiseShape is not null)
        {
            Report(DiagnosticDescriptors.InvalidNoise_UnexpectedShape, site, reparameterization.Noise.ToString());
        }

        string? variable = reparameterization.Noise == NoiseKind.None ? null : NoiseVariable;
        Expr? map = Parse(reparameterization.Formula, variable);
        Expr? shape = reparameterization.NoiseShape is { } shapeFormula ? Parse(shapeFormula, (string?)null) : null;
        DerivedFormula? mapSpec = map is null ? null : Render(map, reparameterization.Formula, simplify: false);
        DerivedFormula? shapeSpec = shape is null ? null : Render(shape, reparameterization.NoiseShape!, simplify: false);
        if (mapSpec is null || (reparameterization.NoiseShape is not null && shapeSpec is null))
        {
            return null;
        }
        return new ReparameterizationSpec(mapSpec, reparameterization.Noise, shapeSpec, DeriveJacobian(map!, shape));
    }

    /// <summary>
    /// ∂z/∂θ_p of z = g(θ, eps) per parameter: ∂g/∂θ_p with eps held fixed and, for Gamma noise whose shape
    /// depends on θ_p, + ∂g/∂eps·∂shape/∂θ_p·∂eps/∂shape (the implicit derivative, a symbol filled in at run
    /// time). Null, silently, when a parameter has an event axis (the Jacobian is then not elementwise) or a
    /// derivative has no tensor form: the runtime's per-sample autograd then takes over, with no diagnostic
    /// because nothing the user wrote is wrong.
    /// </summary>
    private EquatableArray<JacobianSpec>? DeriveJacobian(Expr map, Expr? shape)
    {
        if (declaration.Parameters.Any(p => p.EventRank != 0))
        {
            return null;
        }
        Expr? byNoise = null;
        if (shape is not null)
        {
            DerivativeResult noiseDerivative = Differentiator.Differentiate(map, NoiseVariable);
            if (noiseDerivative.Result is null) return null;
            byNoise = noiseDerivative.Result;
        }
        var code = SymbolCode.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        code[ShapeGradientSymbol] = ShapeGradientLocal;
        var jacobian = new List<JacobianSpec>();
        foreach (string parameter in parameterNames)
        {
            DerivativeResult direct = Differentiator.Differentiate(map, parameter);
            if (direct.Result is null) return null;
            Expr total = direct.Result;
            bool implicitPart = false;
            if (shape is not null && byNoise is not null && Differentiator.DependsOn(shape, parameter))
            {
                DerivativeResult shapeDerivative = Differentiator.Differentiate(shape, parameter);
                if (shapeDerivative.Result is null) return null;
                Expr chain = new BinaryExpr(BinaryOperator.Multiply, new BinaryExpr(BinaryOperator.Multiply, byNoise, shapeDerivative.Result), new SymbolExpr(ShapeGradientSymbol));
                total = new BinaryExpr(BinaryOperator.Add, total, chain);
                implicitPart = true;
            }
            Expr simplified = Simplifier.Simplify(total);
            TensorCode tensorCode = TensorCodeWriter.Write(simplified, code);
            if (tensorCode.Code is null) return null;
            var value = new DerivedFormula(FormulaPrinter.Print(simplified), tensorCode.Code, ContainsSymbol(simplified), simplified is NumberExpr { Value: 0 });
            jacobian.Add(new JacobianSpec(value, implicitPart && Differentiator.DependsOn(simplified, ShapeGradientSymbol)));
        }
        return jacobian.ToEquatableArray();
    }

    /// <summary>
    /// The score at each support value of a finite distribution, ∂/∂θ_p of the log density at z = v_k, simplified
    /// (for the Bernoulli: 1/p at 1, −1/(1 − p) at 0). Null, silently, when a parameter has an event axis or a
    /// derivative has no tensor form: the runtime then differentiates the probability table.
    /// </summary>
    private EquatableArray<ScoreTableSpec>? DeriveScoreTable(Expr logDensity, IReadOnlyList<double> values)
    {
        if (declaration.Parameters.Any(p => p.EventRank != 0))
        {
            return null;
        }
        var table = new List<ScoreTableSpec>();
        foreach (string parameter in parameterNames)
        {
            var perValue = new List<DerivedFormula>();
            foreach (double value in values)
            {
                Expr at = Simplifier.Simplify(Substitution.Substitute(logDensity, DensityVariable, new NumberExpr(value)));
                DerivativeResult derivative = Differentiator.Differentiate(at, parameter);
                if (derivative.Result is null) return null;
                TensorCode tensorCode = TensorCodeWriter.Write(derivative.Result, SymbolCode);
                if (tensorCode.Code is null) return null;
                perValue.Add(new DerivedFormula(FormulaPrinter.Print(derivative.Result), tensorCode.Code, ContainsSymbol(derivative.Result), derivative.Result is NumberExpr { Value: 0 }));
            }
            table.Add(new ScoreTableSpec(parameter, perValue.ToEquatableArray()));
        }
        return table.ToEquatableArray();
    }

    private Expr? Parse(FormulaDeclaration formula, string? variable)
        => Parse(formula, new FormulaScope(variable is null ? Array.Empty<string>() : new[] { variable }, parameterNames));

    private Expr? Parse(FormulaDeclaration formula, FormulaScope scope)
    {
        ParsedFormula parsed = FormulaParser.Parse(formula.Text, scope with { Role = formula.Role });
        foreach (FormulaError error in parsed.Errors)
        {
            diagnostics.Add(new AnalysisDiagnostic(error.Descriptor, DiagnosticSite.InFormula(formula), error.Span, error.Arguments));
        }
        foreach (string symbol in parsed.SymbolsUsed)
        {
            used.Add(symbol);
        }
        formulaFailedToParse |= parsed.Errors.Count > 0;
        return parsed.Errors.Count == 0 ? parsed.Root : null;
    }

    private bool IsEventParameter(string parameter) => declaration.Parameters.Any(p => p.Name == parameter && p.EventRank == 1);

    private DerivedFormula? Derive(Expr expression, string parameter, FormulaDeclaration source, bool eventwise = false)
    {
        DerivativeResult derivative = Differentiator.Differentiate(expression, parameter, eventwise);
        if (derivative.Result is null)
        {
            diagnostics.Add(new AnalysisDiagnostic(DiagnosticDescriptors.NotDifferentiable, DiagnosticSite.InFormula(source), derivative.Span, parameter, derivative.Error ?? ""));
            return null;
        }
        return Render(derivative.Result, source);
    }

    private DerivedFormula? Render(Expr expression, FormulaDeclaration source, bool simplify = true, IReadOnlyDictionary<string, string>? symbolCode = null)
    {
        Expr shown = simplify ? Simplifier.Simplify(expression) : expression;
        TensorCode code = TensorCodeWriter.Write(shown, symbolCode ?? SymbolCode);
        if (code.Code is null)
        {
            diagnostics.Add(code.Error is { } reason
                ? new AnalysisDiagnostic(DiagnosticDescriptors.UnsupportedInExpansion_NoTensorCode, DiagnosticSite.InFormula(source), shown.Span, reason)
                : new AnalysisDiagnostic(DiagnosticDescriptors.UnsupportedInExpansion_NoRealTensorForm, DiagnosticSite.InFormula(source), shown.Span));
            return null;
        }
        bool isZero = shown is NumberExpr { Value: 0 };
        return new DerivedFormula(FormulaPrinter.Print(shown), code.Code, ContainsSymbol(shown), isZero);
    }

    private IReadOnlyDictionary<string, string> SymbolCode
    {
        get
        {
            var map = new Dictionary<string, string>(parameterCode, StringComparer.Ordinal)
            {
                [FrequencyVariable] = FrequencyVariable,
                [DensityVariable] = DensityVariable,
                [NoiseVariable] = NoiseVariable,
            };
            return map;
        }
    }

    private static bool ContainsSymbol(Expr expression) => expression switch
    {
        SymbolExpr => true,
        NegateExpr negate => ContainsSymbol(negate.Operand),
        BinaryExpr binary => ContainsSymbol(binary.Left) || ContainsSymbol(binary.Right),
        CallExpr call => call.Arguments.Any(ContainsSymbol),
        _ => false,
    };

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, DiagnosticSite site, params object[] arguments)
        => diagnostics.Add(AnalysisDiagnostic.At(descriptor, site, arguments));

    internal static string PropertyName(string name)
    {
        var parts = name.Split(new[] { '_' }, StringSplitOptions.RemoveEmptyEntries);
        string pascal = string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
        return pascal.Length == 0 ? "Parameter" : pascal;
    }

    internal static string LocalName(string name)
        => Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    private static string StripTypeParameters(string name)
    {
        int angle = name.IndexOf('<');
        return angle < 0 ? name : name.Substring(0, angle);
    }
}
