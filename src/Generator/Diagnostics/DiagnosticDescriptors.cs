using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports, with every message it shows: one descriptor per distinct message
/// (<c>InvalidScore_UnknownParameter</c>, <c>InvalidScore_Duplicate</c>), the descriptors of one ID sharing its
/// title, category, severity and description. Call sites pass the message arguments, never text. IDs are
/// stable: never renumber, only add.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "StochasticBackprop";

    // SBG001: one title and description, a message per finding.
    private const string FormulaSyntaxTitle = "Formula syntax error";

    private const string FormulaSyntaxDescription = "A formula could not be parsed. Formulas use + - * / ^, unary minus, numbers, i, pi, the formula's variable, parameter names and the functions exp log log1p sqrt abs lgamma digamma sigmoid softplus, and the event-axis reductions sum and logsumexp.";

    public static readonly DiagnosticDescriptor FormulaSyntax_Empty = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "The formula is empty",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_UnmatchedCloseParenthesis = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unexpected ')': it has no matching '('",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_UnclosedParenthesis = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unclosed parenthesis: this '(' has no matching ')'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_EmptyParentheses = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Empty parentheses: expected an expression before ')'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_OperandExpectedBeforeCloseParenthesis = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Expected an operand before ')'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_NumberOutOfRange = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "The number '{0}' is out of range",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_MissingRightOperand = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "'{0}' is missing its right operand: the formula ends here",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_UnexpectedCharacter = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unexpected character '{0}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_UnexpectedToken = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unexpected '{0}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_UnaryPlus = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unexpected '+': a unary plus is not allowed; expected a number, a name or '('",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_OperandExpected = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Unexpected '{0}': expected a number, a name or '('",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_DoubleStar = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "'**' is not an operator; powers are written '^' (a^b, not a**b)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_MissingOperator = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "Missing operator between '{0}' and '{1}': implicit multiplication is not allowed; write '{0}*{1}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_WrongArgumentCountOfOne = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "'{0}' takes one argument, as in '{1}', not {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_WrongArgumentCount = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "'{0}' takes {1} arguments, as in '{2}', not {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_FunctionNotCalledWithOne = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "The function '{0}' must be called with one argument, as in '{1}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_FunctionNotCalled = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "The function '{0}' must be called with {1} arguments, as in '{2}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_OrderNotAnIntegerLiteral = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "The order of '{0}' must be an integer literal from 0 to {1}, not '{2}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    public static readonly DiagnosticDescriptor FormulaSyntax_NotAFunction = new(
        id: "SBG001",
        title: FormulaSyntaxTitle,
        messageFormat: "'{0}' is not a function and cannot be called; to multiply, write '{0}*(...)'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaSyntaxDescription);

    // SBG002: one title and description, a message per finding.
    private const string UnknownIdentifierTitle = "Unknown identifier in formula";

    private const string UnknownIdentifierDescription = "A formula names something that is neither a declared parameter, the formula's variable (w in a characteristic function, z in a log density or score, eps in a reparameterization), i nor pi.";

    public static readonly DiagnosticDescriptor UnknownIdentifier_Name = new(
        id: "SBG002",
        title: UnknownIdentifierTitle,
        messageFormat: "Unknown name '{0}'; this formula may use {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownIdentifierDescription);

    public static readonly DiagnosticDescriptor UnknownIdentifier_DidYouMean = new(
        id: "SBG002",
        title: UnknownIdentifierTitle,
        messageFormat: "Unknown name '{0}'. Did you mean '{1}'? It is the closest name this formula may use.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownIdentifierDescription);

    public static readonly DiagnosticDescriptor UnknownIdentifier_MisusedVariable = new(
        id: "SBG002",
        title: UnknownIdentifierTitle,
        messageFormat: "Unknown name '{0}' here: {0} is {1}; {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownIdentifierDescription);

    public static readonly DiagnosticDescriptor UnknownIdentifier_ConstantE = new(
        id: "SBG002",
        title: UnknownIdentifierTitle,
        messageFormat: "Unknown name 'e': the formulas have no constant e; write exp(1) or exp(…)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownIdentifierDescription);

    public static readonly DiagnosticDescriptor UnknownIdentifier_PowerOfE = new(
        id: "SBG002",
        title: UnknownIdentifierTitle,
        messageFormat: "Unknown name 'e' in 'e^{0}': write exp({1})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownIdentifierDescription);

    // SBG003: one title and description, a message per finding.
    private const string UnknownFunctionTitle = "Unknown function in formula";

    private const string UnknownFunctionDescription = "Formulas may call exp, log, log1p, sqrt, abs, lgamma, digamma, sigmoid, softplus, and sum and logsumexp (over the event axis of EventRank = 1 parameters).";

    public static readonly DiagnosticDescriptor UnknownFunction_Name = new(
        id: "SBG003",
        title: UnknownFunctionTitle,
        messageFormat: "Unknown function '{0}'. Known functions: {1}.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownFunctionDescription);

    public static readonly DiagnosticDescriptor UnknownFunction_DidYouMean = new(
        id: "SBG003",
        title: UnknownFunctionTitle,
        messageFormat: "Unknown function '{0}'. Did you mean '{1}'? Known functions: {2}.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownFunctionDescription);

    public static readonly DiagnosticDescriptor UnknownFunction_Pow = new(
        id: "SBG003",
        title: UnknownFunctionTitle,
        messageFormat: "Unknown function 'pow': write {0}^{1} (the power operator is ^)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnknownFunctionDescription);

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

    // SBG006: one title and description, a message per finding.
    private const string NotAnalyticAtZeroTitle = "Characteristic function cannot be expanded at w = 0";

    private const string NotAnalyticAtZeroDescription = "The Fourier-series estimator needs the cumulants, the Taylor coefficients of log φ at w = 0. This formula is not analytic there (for instance abs(w) in a Cauchy characteristic function, or log(w)), so the distribution has no finite cumulants to expand. A removable 0/0 at w = 0, such as the uniform's (exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w), is expanded: the common power of w cancels.";

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_AbsoluteValue = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "abs({0}) has a kink where its argument vanishes, at {1} = 0: it has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_Pole = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "{0} has a pole at {1} = {2}, its value at {3} = 0, so it has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_DivisorVanishesTooFast = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The divisor {0} vanishes at {1} = 0 to an order above {2} (or identically), so the quotient has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_QuotientPole = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The divisor {0} vanishes like {1}^{2} at {1} = 0 and the dividend {3} only like {1}^{4}, so the quotient has a pole there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_DivisorVanishes = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The divisor {0} vanishes at {1} = 0, so the quotient has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_LogOfVanishingQuotient = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The quotient {0} vanishes at {1} = 0, so its log has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_VanishingFactor = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The characteristic function has the factor {0}, which vanishes at {1} = 0, so its log has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_LogOfVanishingArgument = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The argument {0} of log vanishes at {1} = 0, so the log has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_LogOfZero = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "The argument of {0} makes it a log of zero at {1} = 0, so it has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

    public static readonly DiagnosticDescriptor NotAnalyticAtZero_NonIntegerPowerOfVanishing = new(
        id: "SBG006",
        title: NotAnalyticAtZeroTitle,
        messageFormat: "{0} raises an expression that vanishes at {1} = 0 to a non-integer power, so it has no power series there",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotAnalyticAtZeroDescription);

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

    // SBG009: one title and description, a message per finding.
    private const string NotACharacteristicFunctionTitle = "Formula is not a characteristic function";

    private const string NotACharacteristicFunctionDescription = "A characteristic function satisfies φ(0) = 1 and has real cumulants: its log is Σ κn (i·w)^n / n! with real κn.";

    public static readonly DiagnosticDescriptor NotACharacteristicFunction_ImaginaryCumulant = new(
        id: "SBG009",
        title: NotACharacteristicFunctionTitle,
        messageFormat: "Cumulant κ{0} is not real (imaginary part {1}), so the formula is not the characteristic function of a real random variable (a real variable has φ(-w) = conj(φ(w))). Non-real: {2}.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotACharacteristicFunctionDescription);

    public static readonly DiagnosticDescriptor NotACharacteristicFunction_LogNotZeroAtZero = new(
        id: "SBG009",
        title: NotACharacteristicFunctionTitle,
        messageFormat: "A log characteristic function must vanish at {0} = 0, but here log φ(0) = {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotACharacteristicFunctionDescription);

    public static readonly DiagnosticDescriptor NotACharacteristicFunction_NotOneAtZero = new(
        id: "SBG009",
        title: NotACharacteristicFunctionTitle,
        messageFormat: "A characteristic function must equal 1 at {0} = 0, but here φ(0) = {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotACharacteristicFunctionDescription);

    public static readonly DiagnosticDescriptor NotACharacteristicFunction_NotIdenticallyOneAtZero = new(
        id: "SBG009",
        title: NotACharacteristicFunctionTitle,
        messageFormat: "A characteristic function must equal 1 at {0} = 0, but here φ(0) = {1}, which is not identically 1",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: NotACharacteristicFunctionDescription);

    // SBG010: one title and description, a message per finding.
    private const string UnsupportedInExpansionTitle = "Function cannot be expanded in a characteristic function";

    private const string UnsupportedInExpansionDescription = "Series expansion supports +, -, *, /, ^ and the functions exp, log, log1p, sqrt, sinh, cosh, tanh, erf, lgamma, digamma, polygamma and lbeta of expressions in w; abs, sigmoid, softplus, sum and logsumexp may be applied only to expressions free of w.";

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_Function = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "{0} of an expression of {1} cannot be expanded into cumulants; only arithmetic, powers and {2} may act on {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_Expression = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "This kind of expression cannot be expanded into a series",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_NumberNotFinite = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "A number in the formula is not finite",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_ExponentTooLarge = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "The exponent {0} is too large to expand exactly (at most {1})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_TooComplex = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "The expansion is too complex to carry out exactly: {0}. Lower the order or simplify the formula.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_OrderOutOfRange = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "The series order must be between 1 and {0}, not {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_NoFormula = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "No formula to expand",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_ExpanderFailed = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "The series expander failed unexpectedly ({0}: {1})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_NoTensorCode = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "No tensor code can be written for this formula: {0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    public static readonly DiagnosticDescriptor UnsupportedInExpansion_NoRealTensorForm = new(
        id: "SBG010",
        title: UnsupportedInExpansionTitle,
        messageFormat: "The formula has no real-valued tensor form",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: UnsupportedInExpansionDescription);

    // SBG011: one title and description, a message per finding.
    private const string InvalidParameterTitle = "Invalid parameter declaration";

    private const string InvalidParameterDescription = "A parameter name must be a C# identifier, unique in its distribution, and not one of the reserved names i, pi, w, z, eps or a formula function name.";

    public static readonly DiagnosticDescriptor InvalidParameter_GeneratedLocalName = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "'{0}' cannot name a parameter: the generated methods use it for their own arguments ({1}); rename the parameter",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_NotAnIdentifier = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "'{0}' cannot name a parameter: use an identifier (letters, digits, underscores) other than i, pi, w, z, eps and the formula functions",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_Duplicate = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' is declared twice",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_EventRankOutOfRange = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' has EventRank = {1}; it must be 0 (elementwise) or 1 (its last axis is an event axis)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_SimplexWithoutEventAxis = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' is a Simplex (probabilities summing to 1 over its last axis) and needs EventRank = 1",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_PropertyNotAnIdentifier = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' would be the property '{1}', which is not a C# identifier; start the name with a letter",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_PropertyTaken = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' would be the property '{1}', which '{2}' already has; rename the parameter",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    public static readonly DiagnosticDescriptor InvalidParameter_MixedEventRanks = new(
        id: "SBG011",
        title: InvalidParameterTitle,
        messageFormat: "Parameter '{0}' is elementwise but '{1}' has an event axis (EventRank = 1); mixing the two in one distribution is not supported: give '{0}' EventRank = 1 too, or apply it upstream of the parameters",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidParameterDescription);

    // SBG012: one title and description, a message per finding.
    private const string InvalidScoreTitle = "Invalid score declaration";

    private const string InvalidScoreDescription = "[Score] names a declared parameter, at most once; parameters without one take theirs from [LogDensity].";

    public static readonly DiagnosticDescriptor InvalidScore_UnknownParameter = new(
        id: "SBG012",
        title: InvalidScoreTitle,
        messageFormat: "[Score] names '{0}', which is not a parameter of '{1}' (parameters: {2})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidScoreDescription);

    public static readonly DiagnosticDescriptor InvalidScore_Duplicate = new(
        id: "SBG012",
        title: InvalidScoreTitle,
        messageFormat: "The score of '{0}' is declared twice",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidScoreDescription);

    // SBG013: one title and description, a message per finding.
    private const string ConflictingDeclarationsTitle = "Conflicting declarations";

    private const string ConflictingDeclarationsDescription = "Declare a characteristic function either as [CharacteristicFunction] or as [LogCharacteristicFunction], not both.";

    public static readonly DiagnosticDescriptor ConflictingDeclarations_BothCharacteristicFunctionForms = new(
        id: "SBG013",
        title: ConflictingDeclarationsTitle,
        messageFormat: "Distribution '{0}' declares both [CharacteristicFunction] and [LogCharacteristicFunction]; keep one",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConflictingDeclarationsDescription);

    public static readonly DiagnosticDescriptor ConflictingDeclarations_CharacteristicFunctionOfCategories = new(
        id: "SBG013",
        title: ConflictingDeclarationsTitle,
        messageFormat: "Distribution '{0}' has SupportKind.Categories: its estimators come from the category probabilities (the log density); remove the characteristic function",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConflictingDeclarationsDescription);

    public static readonly DiagnosticDescriptor ConflictingDeclarations_ScoreOfFiniteSupport = new(
        id: "SBG013",
        title: ConflictingDeclarationsTitle,
        messageFormat: "Distribution '{0}' has a finite support: its score comes from the probability table (the log density at each support value); remove [Score]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConflictingDeclarationsDescription);

    public static readonly DiagnosticDescriptor ConflictingDeclarations_EntropyOutsideReduction = new(
        id: "SBG013",
        title: ConflictingDeclarationsTitle,
        messageFormat: "The entropy of '{0}' is one number per event, but the event parameter '{1}' is used outside sum(…) and logsumexp(…): reduce the event axis around it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConflictingDeclarationsDescription);

    public static readonly DiagnosticDescriptor ConflictingDeclarations_CdfOverVectors = new(
        id: "SBG013",
        title: ConflictingDeclarationsTitle,
        messageFormat: "'{0}' is a distribution over vectors (or categories along an event axis), which has no scalar [Cdf]; remove it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: ConflictingDeclarationsDescription);

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
        messageFormat: "Cannot differentiate with respect to '{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The score is derived by differentiating the log density; give [Score] for that parameter by hand when a function's derivative is outside the formula language (digamma's derivative, trigamma, is).");

    // SBG016: one title and description, a message per finding.
    private const string InvalidNoiseTitle = "Invalid reparameterization noise";

    private const string InvalidNoiseDescription = "NoiseKind.StandardGamma needs NoiseShape (a formula in the parameters); other noise kinds take none; NoiseKind.None takes a formula without eps.";

    public static readonly DiagnosticDescriptor InvalidNoise_MissingShape = new(
        id: "SBG016",
        title: InvalidNoiseTitle,
        messageFormat: "NoiseKind.StandardGamma needs NoiseShape, the Gamma noise's shape as a formula in the parameters (for example NoiseShape = \"k\")",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidNoiseDescription);

    public static readonly DiagnosticDescriptor InvalidNoise_UnexpectedShape = new(
        id: "SBG016",
        title: InvalidNoiseTitle,
        messageFormat: "NoiseShape applies only to NoiseKind.StandardGamma, not to NoiseKind.{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidNoiseDescription);

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
        messageFormat: "The characteristic function of '{0}' is periodic in w (w appears only in exp(i*w) and its integer multiples): it is a discrete distribution on the integers. Declare its [Support].",
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

    // SBG020: one title and description, a message per finding.
    private const string InvalidSupportTitle = "Invalid support declaration";

    private const string InvalidSupportDescription = "SupportKind.Finite needs Values, distinct numbers in increasing order; SupportKind.Categories needs a parameter with EventRank = 1 (the categories); every discrete support needs a [LogDensity] (the probabilities and the sampler come from it).";

    public static readonly DiagnosticDescriptor InvalidSupport_MissingValues = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "SupportKind.Finite needs Values, the support's values in increasing order (for example Values = \"0, 1\")",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_ValueNotANumber = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "'{0}' in Values is not a finite number; write the support's values separated by commas (for example \"0, 1\")",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_ValuesNotIncreasing = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "Values must be distinct and increasing; {0} follows {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_SingleValue = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "A finite support needs at least two values (one value is a point mass: declare a Dirac)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_ValuesWithoutFinite = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "Values applies only to SupportKind.Finite, not to SupportKind.{0}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_CategoriesWithoutEventAxis = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "SupportKind.Categories counts the categories along a parameter's event axis, but no parameter of '{0}' has EventRank = 1 (for example [Parameter(\"probs\", ParameterDomain.Simplex, EventRank = 1)])",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    public static readonly DiagnosticDescriptor InvalidSupport_MissingLogDensity = new(
        id: "SBG020",
        title: InvalidSupportTitle,
        messageFormat: "The discrete distribution '{0}' needs a [LogDensity]: its probabilities and its sampler come from it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidSupportDescription);

    // SBG021: one title and description, a message per finding.
    private const string InvalidCompositionTitle = "Invalid composition";

    private const string InvalidCompositionDescription = "[Component(name, typeof(D), parameters…)] names a [Distribution] class and gives its parameters as formulas; names are unique identifiers other than the parameters and reserved names; [Composition(formula)] maps the components to z and needs at least one [Component].";

    public static readonly DiagnosticDescriptor InvalidComposition_MissingComposition = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "'{0}' declares [Component] but no [Composition]: give the map from the components to z (for example [Composition(\"zeta1/(zeta1 + zeta2)\")])",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_MissingComponent = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "'{0}' declares [Composition] but no [Component]: declare its building blocks (for example [Component(\"zeta1\", typeof(Gamma), \"a\", \"1\")])",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_InvalidName = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "'{0}' cannot name a component: use an identifier other than the parameters, i, pi, w, z, eps and the formula functions",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_ComposeArgumentName = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "'{0}' cannot name a component: the generated Compose(parameters, components) takes arguments of these names; rename the component",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_Duplicate = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "The component '{0}' is declared twice",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_MissingType = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "The component '{0}' needs typeof of a [Distribution] class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    public static readonly DiagnosticDescriptor InvalidComposition_NotADistribution = new(
        id: "SBG021",
        title: InvalidCompositionTitle,
        messageFormat: "The component '{0}' is drawn from {1}, which is not a [Distribution] class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: InvalidCompositionDescription);

    // SBG022: one title and description, a message per finding.
    private const string NoCumulantGeneratingFunctionTitle = "No cumulant generating function";

    private const string NoCumulantGeneratingFunctionDescription = "The generator evaluates K(s) = log E[exp(s*z)] = log φ(-i*s) by substituting w = -i*s into the characteristic function and simplifying; it generates the member only when the result is evidently real (no i left) and reproduces the declared cumulants. Otherwise the distribution keeps its other estimators, and ExponentialFourier takes K as a delegate instead. Informational only: nothing is wrong with the declaration.";

    public static readonly DiagnosticDescriptor NoCumulantGeneratingFunction_NotDerived = new(
        id: "SBG022",
        title: NoCumulantGeneratingFunctionTitle,
        messageFormat: "No CumulantGeneratingFunction is generated for '{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: NoCumulantGeneratingFunctionDescription);

    public static readonly DiagnosticDescriptor NoCumulantGeneratingFunction_EventAxis = new(
        id: "SBG022",
        title: NoCumulantGeneratingFunctionTitle,
        messageFormat: "No CumulantGeneratingFunction is generated for '{0}': a parameter has an event axis (EventRank = 1), and K(s) is generated only for elementwise parameters",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: NoCumulantGeneratingFunctionDescription);

    public static readonly DiagnosticDescriptor NoCumulantGeneratingFunction_NoTensorCode = new(
        id: "SBG022",
        title: NoCumulantGeneratingFunctionTitle,
        messageFormat: "No CumulantGeneratingFunction is generated for '{0}': K(s) has no tensor form ({1})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: NoCumulantGeneratingFunctionDescription);

    public static readonly DiagnosticDescriptor NoCumulantGeneratingFunction_NoTensorForm = new(
        id: "SBG022",
        title: NoCumulantGeneratingFunctionTitle,
        messageFormat: "No CumulantGeneratingFunction is generated for '{0}': K(s) has no tensor form",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Hidden,
        isEnabledByDefault: true,
        description: NoCumulantGeneratingFunctionDescription);

    // SBG023: one title and description, a message per finding.
    private const string FormulaTooDeepTitle = "Formula nests too deeply";

    private const string FormulaTooDeepDescription = "Every stage of the generator walks the formula tree; a bound on its depth keeps that walk within the stack of the compiler's or the IDE's thread.";

    public static readonly DiagnosticDescriptor FormulaTooDeep_Levels = new(
        id: "SBG023",
        title: FormulaTooDeepTitle,
        messageFormat: "This formula nests {0} levels deep; the generator analyses at most {1} levels (a chain of + or * counts one level per term): split it, or move part of it into C#",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaTooDeepDescription);

    public static readonly DiagnosticDescriptor FormulaTooDeep_Nonlinear = new(
        id: "SBG023",
        title: FormulaTooDeepTitle,
        messageFormat: "This formula nests {0} functions and powers deep; the generator analyses at most {1} functions and powers inside one another: split it, or move part of it into C#",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: FormulaTooDeepDescription);

    // SBG024: one title and description, a message per finding.
    private const string SymbolicBudgetExceededTitle = "Formulas too costly to derive";

    private const string SymbolicBudgetExceededDescription = "Differentiation and simplification can grow a formula exponentially (an exponent tower, deeply nested functions); the generator stops at a fixed budget of expression nodes or of stack rather than exhaust the compiler's memory or stack.";

    public static readonly DiagnosticDescriptor SymbolicBudgetExceeded_Nodes = new(
        id: "SBG024",
        title: SymbolicBudgetExceededTitle,
        messageFormat: "Deriving the estimators of '{0}' needs more symbolic work than the generator allows (more than {1} expression nodes); simplify its formulas",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: SymbolicBudgetExceededDescription);

    public static readonly DiagnosticDescriptor SymbolicBudgetExceeded_Stack = new(
        id: "SBG024",
        title: SymbolicBudgetExceededTitle,
        messageFormat: "Deriving the estimators of '{0}' needs more symbolic work than the generator allows (more stack than the compiler's thread has); simplify its formulas",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: SymbolicBudgetExceededDescription);

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

    public static readonly DiagnosticDescriptor FileLocalClass = new(
        id: "SBG035",
        title: "Distribution class is file-local",
        messageFormat: "Class '{0}' is file-local ('file'), so the generated part, which is another file, cannot be part of it; make it internal or public",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A file-local type is visible in its own file only, and a partial class cannot span files when it is file-local; the generated constructor and members live in a file of their own.");

    public static readonly DiagnosticDescriptor InternalError = new(
        id: "SBG999",
        title: "Internal generator error",
        messageFormat: "The StochasticBackprop generator failed on '{0}': {1}. Please report this with the declaration.",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator caught an exception of its own; nothing was generated for this declaration.");
}

/// <summary>
/// The phrases <see cref="DiagnosticDescriptors.UnknownIdentifier_MisusedVariable"/> is filled with: what a
/// formula variable is, and what a formula of each role may mention. Kept beside the catalog so every word a
/// diagnostic shows is written in this file.
/// </summary>
internal static class MessagePhrases
{
    /// <summary>What <paramref name="variable"/> stands for, or null when it is not one of the formula variables z, w, eps.</summary>
    public static string? VariableMeaning(string variable, FormulaRole role) => variable switch
    {
        "z" => role == FormulaRole.Reparameterization ? "the sample the map produces" : "the sample",
        "w" => "the frequency of a characteristic function",
        "eps" => "the reparameterization's noise",
        _ => null,
    };

    /// <summary>"a log density is a formula in z and the parameters": what a formula of <paramref name="role"/> may mention.</summary>
    public static string FormulaIn(FormulaRole role, IReadOnlyList<string> variables)
    {
        string formula = role switch
        {
            FormulaRole.CharacteristicFunction => "a characteristic function",
            FormulaRole.LogCharacteristicFunction => "a log characteristic function",
            FormulaRole.LogDensity => "a log density",
            FormulaRole.Score => "a score",
            FormulaRole.Reparameterization => "a reparameterization",
            FormulaRole.NoiseShape => "a noise shape",
            FormulaRole.ComponentParameter => "a component's parameter",
            FormulaRole.Composition => "a composition",
            FormulaRole.Entropy => "an entropy",
            FormulaRole.Cdf => "a CDF",
            _ => "this formula",
        };
        return variables.Count == 0
            ? formula + " is a formula in the parameters"
            : formula + " is a formula in " + string.Join(", ", variables) + " and the parameters";
    }

    /// <summary>"z, mu, sigma, i and pi": every name a formula of this scope may use, for an unknown name without a close match.</summary>
    public static string NamesInScope(IEnumerable<string> names)
    {
        var all = new List<string>(names) { "i", "pi" };
        return string.Join(", ", all.GetRange(0, all.Count - 1)) + " and " + all[all.Count - 1];
    }
}
