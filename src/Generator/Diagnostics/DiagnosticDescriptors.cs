using Microsoft.CodeAnalysis;

namespace StochasticBackprop.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. IDs are stable: never renumber, only add.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "StochasticBackprop";

    public static readonly DiagnosticDescriptor FormulaSyntax = new(
        id: "SBG001",
        title: "Formula syntax error",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A formula could not be parsed. Formulas use + - * / ^, unary minus, numbers, i, pi, the formula's variable, parameter names and the functions exp log log1p sqrt abs lgamma digamma sigmoid softplus, and the event-axis reductions sum and logsumexp.");

    public static readonly DiagnosticDescriptor UnknownIdentifier = new(
        id: "SBG002",
        title: "Unknown identifier in formula",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A formula names something that is neither a declared parameter, the formula's variable (w in a characteristic function, z in a log density or score, eps in a reparameterization), i nor pi.");

    public static readonly DiagnosticDescriptor UnknownFunction = new(
        id: "SBG003",
        title: "Unknown function in formula",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Formulas may call exp, log, log1p, sqrt, abs, lgamma, digamma, sigmoid, softplus, and sum and logsumexp (over the event axis of EventRank = 1 parameters).");

    public static readonly DiagnosticDescriptor UnusedParameter = new(
        id: "SBG004",
        title: "Parameter not used by any formula",
        messageFormat: "Parameter '{0}' of distribution '{1}' is not used by any formula",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A declared parameter that no formula mentions has a zero gradient under every estimator; it is probably misspelt in a formula or left over.");

    public static readonly DiagnosticDescriptor NotPartial = new(
        id: "SBG005",
        title: "Distribution class must be partial",
        messageFormat: "Class '{0}' is marked [Distribution] but is not partial (nor are all its containing types), so its estimators cannot be generated",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator adds the constructor, sampling, score, cumulants and estimators to the class as another part of it: the class and every type containing it must be declared partial.");

    public static readonly DiagnosticDescriptor NotAnalyticAtZero = new(
        id: "SBG006",
        title: "Characteristic function cannot be expanded at w = 0",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The Fourier-series estimator needs the cumulants, the Taylor coefficients of log φ at w = 0. This formula is not analytic there (for instance abs(w) in a Cauchy characteristic function, or log(w)), so the distribution has no finite cumulants to expand. A removable 0/0 at w = 0, such as the uniform's (exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w), is expanded: the common power of w cancels.");

    public static readonly DiagnosticDescriptor OrderOutOfRange = new(
        id: "SBG007",
        title: "Truncation order out of range",
        messageFormat: "{0} is {1}; it must be between {2} and {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "CumulantOrder must be between 1 and 16, and FourierOrder between 1 and CumulantOrder.");

    public static readonly DiagnosticDescriptor NoEstimator = new(
        id: "SBG008",
        title: "No estimator can be built",
        messageFormat: "Distribution '{0}' declares neither a characteristic function, a log density, a score nor a reparameterization, so no gradient estimator can be built",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Declare [CharacteristicFunction] (Fourier-series estimator), [LogDensity] or [Score] (score-function estimator), or [Reparameterization] (pathwise estimator); each adds its estimators to the others.");

    public static readonly DiagnosticDescriptor NotACharacteristicFunction = new(
        id: "SBG009",
        title: "Formula is not a characteristic function",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A characteristic function satisfies φ(0) = 1 and has real cumulants: its log is Σ κn (i·w)^n / n! with real κn.");

    public static readonly DiagnosticDescriptor UnsupportedInExpansion = new(
        id: "SBG010",
        title: "Function cannot be expanded in a characteristic function",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Series expansion supports +, -, *, /, ^ and the functions exp, log, log1p, sqrt, sinh, cosh, tanh, erf, lgamma, digamma, polygamma and lbeta of expressions in w; abs, sigmoid, softplus, sum and logsumexp may be applied only to expressions free of w.");

    public static readonly DiagnosticDescriptor InvalidParameter = new(
        id: "SBG011",
        title: "Invalid parameter declaration",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A parameter name must be a C# identifier, unique in its distribution, and not one of the reserved names i, pi, w, z, eps or a formula function name.");

    public static readonly DiagnosticDescriptor InvalidScore = new(
        id: "SBG012",
        title: "Invalid score declaration",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Score] names a declared parameter, at most once; parameters without one take theirs from [LogDensity].");

    public static readonly DiagnosticDescriptor ConflictingDeclarations = new(
        id: "SBG013",
        title: "Conflicting declarations",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Declare a characteristic function either as [CharacteristicFunction] or as [LogCharacteristicFunction], not both.");

    public static readonly DiagnosticDescriptor NoSampler = new(
        id: "SBG014",
        title: "Distribution has no sampler",
        messageFormat: "Distribution '{0}' declares no [Reparameterization], [Composition] or discrete [Support] and has no sampling method, so it cannot be sampled and no estimator can run; declare one of them, or write the sampler in C#: 'private partial Tensor Draw(long sampleCount, Generator? generator)' returning samples of shape [S, ...BatchShape]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every estimator averages over samples. [Reparameterization] or [Composition] gives the sampler (and the pathwise estimator); a discrete [Support] with a [LogDensity] gives an inverse-CDF sampler; a method 'Tensor Draw(long sampleCount, Generator? generator)' written in the class gives a sampler without a pathwise map.");

    public static readonly DiagnosticDescriptor NotDifferentiable = new(
        id: "SBG015",
        title: "Formula cannot be differentiated",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The score is derived by differentiating the log density; give [Score] for that parameter by hand when a function's derivative is outside the formula language (digamma's derivative, trigamma, is).");

    public static readonly DiagnosticDescriptor InvalidNoise = new(
        id: "SBG016",
        title: "Invalid reparameterization noise",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "NoiseKind.StandardGamma needs NoiseShape (a formula in the parameters); other noise kinds take none; NoiseKind.None takes a formula without eps.");

    public static readonly DiagnosticDescriptor MissingScore = new(
        id: "SBG017",
        title: "Parameter has no score",
        messageFormat: "Parameter '{0}' of distribution '{1}' has no [Score] and there is no [LogDensity] to derive one from; the score-function estimator is not generated",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The score-function estimator needs the score of every parameter.");

    public static readonly DiagnosticDescriptor DiscreteWithoutSupport = new(
        id: "SBG018",
        title: "Discrete distribution without a declared support",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A characteristic function in which w appears only as exp(i*w) (times integers) is periodic: the distribution lives on the integers. Declare [Support(SupportKind.Finite, Values = \"…\")], [Support(SupportKind.Categories)] or [Support(SupportKind.Counts)] so the generator writes a discrete sampler and the discrete estimators.");

    public static readonly DiagnosticDescriptor DiscreteReparameterization = new(
        id: "SBG019",
        title: "Discrete distribution with a pathwise map",
        messageFormat: "Distribution '{0}' has a discrete support ({1}) and a [{2}]; a discrete variable has no pathwise derivative, remove it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "z = g(θ, ε) with a discrete z is piecewise constant in θ, so its pathwise gradient is zero almost everywhere and the pathwise estimator would be silently wrong. Discrete distributions are sampled from their log density; use the local-expectation, score-function or Gumbel-softmax estimators.");

    public static readonly DiagnosticDescriptor InvalidSupport = new(
        id: "SBG020",
        title: "Invalid support declaration",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "SupportKind.Finite needs Values, distinct numbers in increasing order; SupportKind.Categories needs a parameter with EventRank = 1 (the categories); every discrete support needs a [LogDensity] (the probabilities and the sampler come from it).");

    public static readonly DiagnosticDescriptor InvalidComposition = new(
        id: "SBG021",
        title: "Invalid composition",
        messageFormat: "{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Component(name, typeof(D), parameters…)] names a [Distribution] class and gives its parameters as formulas; names are unique identifiers other than the parameters and reserved names; [Composition(formula)] maps the components to z and needs at least one [Component].");

    public static readonly DiagnosticDescriptor NoCumulantGeneratingFunction = new(
        id: "SBG022",
        title: "No cumulant generating function",
        messageFormat: "No CumulantGeneratingFunction is generated for '{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: "The generator evaluates K(s) = log E[exp(s*z)] = log φ(-i*s) by substituting w = -i*s into the characteristic function and simplifying; it generates the member only when the result is evidently real (no i left) and reproduces the declared cumulants. Otherwise the distribution keeps its other estimators, and ExponentialFourier takes K as a delegate instead. Informational only: nothing is wrong with the declaration.");

    public static readonly DiagnosticDescriptor FormulaTooDeep = new(
        id: "SBG023",
        title: "Formula nests too deeply",
        messageFormat: "This formula nests {0} deep; the generator analyses at most {1}: split it, or move part of it into C#",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every stage of the generator walks the formula tree; a bound on its depth keeps that walk within the stack of the compiler's or the IDE's thread.");

    public static readonly DiagnosticDescriptor SymbolicBudgetExceeded = new(
        id: "SBG024",
        title: "Formulas too costly to derive",
        messageFormat: "Deriving the estimators of '{0}' needs more symbolic work than the generator allows ({1}); simplify its formulas",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Differentiation and simplification can grow a formula exponentially (an exponent tower, deeply nested functions); the generator stops at a fixed budget of expression nodes or of stack rather than exhaust the compiler's memory or stack.");

    public static readonly DiagnosticDescriptor InvalidEnumArgument = new(
        id: "SBG025",
        title: "Attribute argument is not a member of its enum",
        messageFormat: "{0} is not a member of {1}; use one of {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An enum argument cast from a number names no member; the generator cannot tell which check or noise it means.");

    public static readonly DiagnosticDescriptor NullArgument = new(
        id: "SBG026",
        title: "Attribute argument is null",
        messageFormat: "The {0} argument of [{1}] must not be null",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Names, formulas, types and value lists of the distribution attributes are required.");

    public static readonly DiagnosticDescriptor StaticClass = new(
        id: "SBG027",
        title: "Distribution class is static",
        messageFormat: "Class '{0}' is static; a distribution is an object (the generated part declares a constructor and instance members), remove 'static'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part implements the estimator interfaces with instance members, which a static class cannot have.");

    public static readonly DiagnosticDescriptor PrimaryConstructor = new(
        id: "SBG028",
        title: "Distribution class has a primary constructor",
        messageFormat: "Class '{0}' has a primary constructor; the generated part declares the constructor that takes the distribution's parameters, remove the parameter list",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every other constructor of a class with a primary constructor must call it, and the generated constructor cannot know its arguments.");

    public static readonly DiagnosticDescriptor NoBaseConstructor = new(
        id: "SBG029",
        title: "Base class has no parameterless constructor",
        messageFormat: "The base class '{1}' of '{0}' has no accessible parameterless constructor, which the generated constructor calls",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated constructor takes the distribution's parameters and calls the base class's parameterless constructor.");

    public static readonly DiagnosticDescriptor NotAClass = new(
        id: "SBG030",
        title: "Distribution is not a class",
        messageFormat: "'{0}' is a {1}; [Distribution] applies to a partial class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part is a partial class; a record's compiler-written members (equality, constructor, Deconstruct) would clash with it.");

    public static readonly DiagnosticDescriptor MemberClash = new(
        id: "SBG031",
        title: "Member clashes with a generated member",
        messageFormat: "'{0}' declares '{1}', which the generated part of the distribution declares too; rename it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated part declares one property per parameter (its name in PascalCase) and the members of the estimator interfaces; a member or type parameter of the same name in the user's part would not compile.");

    public static readonly DiagnosticDescriptor NoParameter = new(
        id: "SBG032",
        title: "Distribution has no parameter",
        messageFormat: "Distribution '{0}' declares no [Parameter]; declare at least one (the batch shape and every gradient come from the parameters)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated constructor, batch shape and estimators are built from the parameter tensors.");

    private const string SamplerDescription = "A distribution without [Reparameterization], [Composition] or a discrete [Support] can be sampled by C# the user writes: an instance method 'Tensor Draw(long sampleCount, Generator? generator)' in the class, normally 'private partial' (the generated part declares the other half). It returns samples of shape [S, ...BatchShape] drawn at the parameter properties; the generated Sample checks that shape and the absence of NaN, and detaches the result. The score-function, Fourier-series and every other estimator that needs no pathwise map then apply.";

    public static readonly DiagnosticDescriptor InvalidSamplerSignature = new(
        id: "SBG033",
        title: "Invalid sampling method",
        messageFormat: "'{0}' declares a member named Draw, which the generator takes as the distribution's sampler, but it is {1}; write 'private partial Tensor Draw(long sampleCount, Generator? generator)', an instance method returning samples of shape [S, ...BatchShape], or rename it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: SamplerDescription);

    public static readonly DiagnosticDescriptor SamplerWithoutBody = new(
        id: "SBG033",
        title: "Invalid sampling method",
        messageFormat: "The sampler '{0}.Draw' has no body; write its body, which draws the samples (the generator writes no sampler for you)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: SamplerDescription);

    public static readonly DiagnosticDescriptor SamplerWithoutAccessibility = new(
        id: "SBG033",
        title: "Invalid sampling method",
        messageFormat: "The partial sampler '{0}.Draw' returns a Tensor, so it needs an accessibility modifier: write 'private partial Tensor Draw(…)'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: SamplerDescription);

    public static readonly DiagnosticDescriptor ConflictingSampler = new(
        id: "SBG013",
        title: "Conflicting declarations",
        messageFormat: "Distribution '{0}' has its own sampler Draw and {1}, which samples it too; keep one",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Declare a characteristic function either as [CharacteristicFunction] or as [LogCharacteristicFunction], not both.");

    private const string ConstraintDescription = "[Constraint(formula, domain)] declares a condition between parameters (low < high as [Constraint(\"high - low\", ParameterDomain.Positive)]) that the generated constructor checks elementwise over the parameters' broadcast shape; the formula names at least one parameter and no variable, and the domain is Real (finite), Positive, NonNegative or UnitInterval.";

    public static readonly DiagnosticDescriptor ConstraintWithoutParameter = new(
        id: "SBG034",
        title: "Invalid constraint",
        messageFormat: "The [Constraint] '{1}' of '{0}' names no parameter, so it is true or false whatever the parameters are; write a condition in the parameters",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConstraintDescription);

    public static readonly DiagnosticDescriptor ConstraintOnSimplex = new(
        id: "SBG034",
        title: "Invalid constraint",
        messageFormat: "A [Constraint] of '{0}' is checked one number at a time, so its domain cannot be Simplex; use Real, Positive, NonNegative or UnitInterval",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConstraintDescription);

    public static readonly DiagnosticDescriptor InternalError = new(
        id: "SBG999",
        title: "Internal generator error",
        messageFormat: "The StochasticBackprop generator failed on '{0}': {1}. Please report this with the declaration.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator caught an exception of its own; nothing was generated for this declaration.");
}
