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

    private static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
    {
        "i", "pi", FrequencyVariable, DensityVariable, NoiseVariable,
    };

    /// <summary>Members the generated part declares: a parameter's property must not take one of these names.</summary>
    private static readonly HashSet<string> GeneratedMemberNames = new(StringComparer.Ordinal)
    {
        "Name", "ParameterNames", "Parameters", "BatchShape", "IsImplicit", "Sample", "Reparameterize", "LogDensity", "Score",
        "FourierOrder", "CumulantOrder", "CumulantVanishes", "Cumulant", "CumulantGradient", "CheckCumulantOrder",
        "Pathwise", "ScoreFunction", "Hybrid", "Fourier", "ParameterNameList",
    };

    private readonly DistributionDeclaration declaration;
    private readonly List<AnalysisDiagnostic> diagnostics = new();
    private readonly HashSet<string> used = new(StringComparer.Ordinal);
    private readonly List<string> parameterNames;
    private readonly Dictionary<string, string> parameterCode;

    private DistributionAnalyzer(DistributionDeclaration declaration)
    {
        this.declaration = declaration;
        parameterNames = declaration.Parameters.Select(p => p.Name).ToList();
        parameterCode = declaration.Parameters.ToDictionary(p => p.Name, p => LocalName(p.Name), StringComparer.Ordinal);
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
        if (!hasCharacteristic && declaration.LogDensity is null && declaration.Scores.Count == 0)
        {
            Report(DiagnosticDescriptors.NoEstimator, DiagnosticSite.Class, Name);
        }
        if (declaration.CharacteristicFunction is not null && declaration.LogCharacteristicFunction is not null)
        {
            Report(DiagnosticDescriptors.ConflictingDeclarations, DiagnosticSite.InFormula(declaration.LogCharacteristicFunction),
                $"Distribution '{Name}' declares both [CharacteristicFunction] and [LogCharacteristicFunction]; keep one");
        }

        CumulantSpec? cumulants = AnalyzeCumulants();
        DensitySpec? density = AnalyzeDensity();
        ReparameterizationSpec? reparameterization = AnalyzeReparameterization();

        foreach (ParameterDeclaration parameter in declaration.Parameters)
        {
            if (!used.Contains(parameter.Name) && IsValidParameterName(parameter.Name))
            {
                Report(DiagnosticDescriptors.UnusedParameter, new DiagnosticSite(SiteKind.Parameter, Index: parameter.Index), parameter.Name, Name);
            }
        }

        if (reparameterization is null)
        {
            return null;
        }

        string hintName = (declaration.Type.Namespace is null ? "" : declaration.Type.Namespace + ".")
            + string.Concat(declaration.Type.ContainingTypes.Select(t => StripTypeParameters(t.Name) + "."))
            + StripTypeParameters(declaration.Type.ClassName) + ".g.cs";

        return new DistributionSpec(
            declaration.Type,
            hintName,
            declaration.Parameters.Select(p => new ParameterSpec(p.Name, PropertyName(p.Name), LocalName(p.Name), p.Domain)).ToEquatableArray(),
            declaration.FourierOrder,
            declaration.CumulantOrder,
            cumulants,
            density,
            reparameterization);
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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var properties = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterDeclaration parameter in declaration.Parameters)
        {
            var site = new DiagnosticSite(SiteKind.Parameter, Index: parameter.Index);
            string property = PropertyName(parameter.Name);
            if (!IsValidParameterName(parameter.Name))
            {
                Report(DiagnosticDescriptors.InvalidParameter, site,
                    $"'{parameter.Name}' cannot name a parameter: use an identifier (letters, digits, underscores) other than i, pi, w, z, eps and the formula functions");
            }
            else if (!seen.Add(parameter.Name))
            {
                Report(DiagnosticDescriptors.InvalidParameter, site, $"Parameter '{parameter.Name}' is declared twice");
            }
            else if (GeneratedMemberNames.Contains(property) || property == StripTypeParameters(declaration.Type.ClassName) || !properties.Add(property))
            {
                Report(DiagnosticDescriptors.InvalidParameter, site,
                    $"Parameter '{parameter.Name}' would be the property '{property}', which '{Name}' already has; rename the parameter");
            }
        }
    }

    private static bool IsValidParameterName(string name)
        => name.Length > 0
           && (char.IsLetter(name[0]) || name[0] == '_')
           && name.All(c => char.IsLetterOrDigit(c) || c == '_')
           && !ReservedNames.Contains(name)
           && !FunctionNames.ByName.ContainsKey(name);

    private CumulantSpec? AnalyzeCumulants()
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

        CumulantExpansion expansion = CumulantExpander.Expand(root, isLog, FrequencyVariable, declaration.CumulantOrder);
        if (expansion.Errors.Count > 0)
        {
            foreach (SeriesError error in expansion.Errors)
            {
                var descriptor = error.Kind switch
                {
                    SeriesErrorKind.NotAnalyticAtZero => DiagnosticDescriptors.NotAnalyticAtZero,
                    SeriesErrorKind.ImaginaryCumulant or SeriesErrorKind.NotNormalized => DiagnosticDescriptors.NotACharacteristicFunction,
                    _ => DiagnosticDescriptors.UnsupportedInExpansion,
                };
                diagnostics.Add(new AnalysisDiagnostic(descriptor, DiagnosticSite.InFormula(formula), error.Span, error.Message));
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
                Report(DiagnosticDescriptors.InvalidScore, site,
                    $"[Score] names '{score.Parameter}', which is not a parameter of '{Name}' (parameters: {string.Join(", ", parameterNames)})");
            }
            else if (declared.ContainsKey(score.Parameter))
            {
                Report(DiagnosticDescriptors.InvalidScore, site, $"The score of '{score.Parameter}' is declared twice");
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

        var scores = new List<ScoreSpec>();
        foreach (string parameter in parameterNames)
        {
            if (declared.TryGetValue(parameter, out var given))
            {
                DerivedFormula? rendered = given.Root is null ? null : Render(Simplifier.Simplify(given.Root), given.Formula);
                if (rendered is null) return null;
                scores.Add(new ScoreSpec(parameter, Derived: false, rendered));
            }
            else if (logDensity is not null)
            {
                DerivedFormula? derived = Derive(logDensity, parameter, declaration.LogDensity!);
                if (derived is null) return null;
                scores.Add(new ScoreSpec(parameter, Derived: true, derived));
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

    private ReparameterizationSpec? AnalyzeReparameterization()
    {
        if (declaration.Reparameterization is not { } reparameterization)
        {
            Report(DiagnosticDescriptors.NoSampler, DiagnosticSite.Class, Name);
            return null;
        }

        var site = new DiagnosticSite(SiteKind.Reparameterization);
        bool needsShape = reparameterization.Noise == NoiseKind.StandardGamma;
        if (needsShape && reparameterization.NoiseShape is null)
        {
            Report(DiagnosticDescriptors.InvalidNoise, site, "NoiseKind.StandardGamma needs NoiseShape, the Gamma noise's shape as a formula in the parameters (e.g. NoiseShape = \"k\")");
        }
        else if (!needsShape && reparameterization.NoiseShape is not null)
        {
            Report(DiagnosticDescriptors.InvalidNoise, site, $"NoiseShape applies only to NoiseKind.StandardGamma, not to NoiseKind.{reparameterization.Noise}");
        }

        string? variable = reparameterization.Noise == NoiseKind.None ? null : NoiseVariable;
        Expr? map = Parse(reparameterization.Formula, variable);
        Expr? shape = reparameterization.NoiseShape is { } shapeFormula ? Parse(shapeFormula, null) : null;
        DerivedFormula? mapSpec = map is null ? null : Render(map, reparameterization.Formula, simplify: false);
        DerivedFormula? shapeSpec = shape is null ? null : Render(shape, reparameterization.NoiseShape!, simplify: false);
        if (mapSpec is null || (reparameterization.NoiseShape is not null && shapeSpec is null))
        {
            return null;
        }
        return new ReparameterizationSpec(mapSpec, reparameterization.Noise, shapeSpec);
    }

    private Expr? Parse(FormulaDeclaration formula, string? variable)
    {
        var scope = new FormulaScope(variable is null ? Array.Empty<string>() : new[] { variable }, parameterNames);
        ParsedFormula parsed = FormulaParser.Parse(formula.Text, scope);
        foreach (FormulaError error in parsed.Errors)
        {
            var descriptor = error.Kind switch
            {
                FormulaErrorKind.UnknownIdentifier => DiagnosticDescriptors.UnknownIdentifier,
                FormulaErrorKind.UnknownFunction => DiagnosticDescriptors.UnknownFunction,
                _ => DiagnosticDescriptors.FormulaSyntax,
            };
            diagnostics.Add(new AnalysisDiagnostic(descriptor, DiagnosticSite.InFormula(formula), error.Span, error.Message));
        }
        foreach (string symbol in parsed.SymbolsUsed)
        {
            used.Add(symbol);
        }
        return parsed.Errors.Count == 0 ? parsed.Root : null;
    }

    private DerivedFormula? Derive(Expr expression, string parameter, FormulaDeclaration source)
    {
        DerivativeResult derivative = Differentiator.Differentiate(expression, parameter);
        if (derivative.Result is null)
        {
            diagnostics.Add(new AnalysisDiagnostic(DiagnosticDescriptors.NotDifferentiable, DiagnosticSite.InFormula(source), derivative.Span,
                $"Cannot differentiate with respect to '{parameter}': {derivative.Error}"));
            return null;
        }
        return Render(derivative.Result, source);
    }

    private DerivedFormula? Render(Expr expression, FormulaDeclaration source, bool simplify = true)
    {
        Expr shown = simplify ? Simplifier.Simplify(expression) : expression;
        TensorCode code = TensorCodeWriter.Write(shown, SymbolCode);
        if (code.Code is null)
        {
            diagnostics.Add(new AnalysisDiagnostic(DiagnosticDescriptors.UnsupportedInExpansion, DiagnosticSite.InFormula(source), shown.Span,
                code.Error ?? "The formula has no real-valued tensor form"));
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
        CallExpr call => ContainsSymbol(call.Argument),
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
