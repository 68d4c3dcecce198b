using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Formulas;

namespace StochasticBackprop.Generator.Series;

internal enum SeriesErrorKind
{
    /// <summary>log, a negative or fractional power, a division (other than a removable 0/0), abs or a pole of lgamma where the argument vanishes at w = 0.</summary>
    NotAnalyticAtZero,

    /// <summary>A function without a series rule (abs, sigmoid, softplus, sum, logsumexp) applied to an expression of w.</summary>
    UnsupportedFunction,

    /// <summary>A cumulant is not real: the formula is not the characteristic function of a real variable.</summary>
    ImaginaryCumulant,

    /// <summary>φ(0) ≠ 1 (log φ(0) ≠ 0).</summary>
    NotNormalized,

    /// <summary>The expansion outgrew its guard (or failed internally).</summary>
    TooComplex,
}

/// <summary>A reason the expansion failed, at the formula node responsible: a descriptor of the catalog (SBG006, SBG009 or SBG010) and its message arguments.</summary>
internal sealed record SeriesError(SeriesErrorKind Kind, DiagnosticDescriptor Descriptor, SourceSpan Span, params object[] Arguments)
{
    /// <summary>The text the diagnostic shows.</summary>
    public string Message => Descriptor.FormatMessage(Arguments);
}

/// <summary>
/// The cumulants κ_1..κ_N of a characteristic function (index 0 is κ_1), each a real expression
/// in the parameters, and whether each is identically zero. Both lists are empty when
/// <see cref="Errors"/> is not.
/// </summary>
internal sealed record CumulantExpansion(IReadOnlyList<Expr> Cumulants, IReadOnlyList<bool> Vanishes, IReadOnlyList<SeriesError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Expands a characteristic function φ(w) (or log φ(w)) into cumulants, the coefficients of the Fourier estimator:
/// log φ(w) = Σ κ_n s^n / n! with s = i·w. Exact: truncated power series in s whose coefficients
/// are Laurent polynomials over parameters and opaque s-free subexpressions, with complex
/// rational coefficients. Never throws; failures come back as <see cref="SeriesError"/> values.
/// </summary>
internal static class CumulantExpander
{
    public const int MaxOrder = 16;

    /// <param name="catalog">The function catalog's rows (a test may change one to show a wrong rule is caught); null for <see cref="FunctionCatalog.Get"/>.</param>
    public static CumulantExpansion Expand(Expr formula, bool isLogForm, string frequencyVariable, int order, Func<FunctionKind, FunctionRow>? catalog = null)
    {
        frequencyVariable ??= "w";
        if (formula is null) return Failed(SeriesErrorKind.TooComplex, SourceSpan.None, DiagnosticDescriptors.UnsupportedInExpansion_NoFormula);
        if (order < 1 || order > MaxOrder)
        {
            return Failed(SeriesErrorKind.TooComplex, formula.Span, DiagnosticDescriptors.UnsupportedInExpansion_OrderOutOfRange, MaxOrder, order);
        }

        var evaluator = new SeriesEvaluator(frequencyVariable, order, catalog);
        try
        {
            var logPhi = isLogForm ? evaluator.Evaluate(formula) : evaluator.LogOf(formula, explicitLog: null);
            var errors = new List<SeriesError>();
            if (!logPhi.ConstantTerm.IsZero && !IsNormalizedAtZero(formula, isLogForm, frequencyVariable))
            {
                errors.Add(NotNormalized(formula, isLogForm, frequencyVariable, evaluator.Atoms.ToExpr(logPhi.ConstantTerm)));
            }

            var cumulants = new List<Polynomial>(order);
            var imaginary = new List<int>();
            Polynomial? firstImaginaryPart = null;
            BigInteger factorial = BigInteger.One;
            for (int n = 1; n <= order; n++)
            {
                factorial *= n;
                var kappa = ComplexRational.FromInteger(factorial) * logPhi[n];
                if (!evaluator.Atoms.IsReal(kappa))
                {
                    imaginary.Add(n);
                    firstImaginaryPart ??= kappa.HasImaginaryPart ? kappa.ImaginaryPart() : kappa;
                }

                cumulants.Add(kappa);
            }

            if (imaginary.Count > 0)
            {
                string which = string.Join(", ", imaginary.Select(n => "κ" + n));
                errors.Add(new SeriesError(
                    SeriesErrorKind.ImaginaryCumulant,
                    DiagnosticDescriptors.NotACharacteristicFunction_ImaginaryCumulant,
                    formula.Span,
                    imaginary[0],
                    FormulaPrinter.Print(evaluator.Atoms.ToExpr(firstImaginaryPart!)),
                    which));
            }

            if (errors.Count > 0) return new CumulantExpansion(Array.Empty<Expr>(), Array.Empty<bool>(), errors);
            return new CumulantExpansion(
                cumulants.Select(k => evaluator.Atoms.ToExpr(k.RealPart())).ToArray(),
                cumulants.Select(k => k.IsZero).ToArray(),
                Array.Empty<SeriesError>());
        }
        catch (SeriesFailure failure)
        {
            return Failed(failure.Error);
        }
        catch (SeriesTooComplexException tooComplex)
        {
            return Failed(SeriesErrorKind.TooComplex, evaluator.CurrentSpan, DiagnosticDescriptors.UnsupportedInExpansion_TooComplex, tooComplex.Message);
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            return Failed(SeriesErrorKind.TooComplex, evaluator.CurrentSpan, DiagnosticDescriptors.UnsupportedInExpansion_ExpanderFailed, unexpected.GetType().Name, unexpected.Message);
        }
    }

    /// <summary>
    /// The log form's constant term can fail to cancel only because logs of equal constants were
    /// written two ways; φ(0) itself, evaluated directly, settles it.
    /// </summary>
    private static bool IsNormalizedAtZero(Expr formula, bool isLogForm, string frequencyVariable)
    {
        if (isLogForm) return false;
        var value = TryEvaluateAtZero(formula, frequencyVariable, out _);
        return value is not null && value.IsOne;
    }

    private static Polynomial? TryEvaluateAtZero(Expr formula, string frequencyVariable, out AtomTable atoms)
    {
        var evaluator = new SeriesEvaluator(frequencyVariable, order: 0);
        atoms = evaluator.Atoms;
        try
        {
            return evaluator.Evaluate(formula).ConstantTerm;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static SeriesError NotNormalized(Expr formula, bool isLogForm, string frequencyVariable, Expr logAtZero)
    {
        if (isLogForm)
        {
            return new SeriesError(SeriesErrorKind.NotNormalized, DiagnosticDescriptors.NotACharacteristicFunction_LogNotZeroAtZero, formula.Span, frequencyVariable, FormulaPrinter.Print(logAtZero));
        }

        var value = TryEvaluateAtZero(formula, frequencyVariable, out var atoms);
        string shown = value is null ? "exp(" + FormulaPrinter.Print(logAtZero) + ")" : FormulaPrinter.Print(atoms.ToExpr(value));
        bool isNumber = value is not null && value.TryGetConstant(out _);
        return new SeriesError(
            SeriesErrorKind.NotNormalized,
            isNumber ? DiagnosticDescriptors.NotACharacteristicFunction_NotOneAtZero : DiagnosticDescriptors.NotACharacteristicFunction_NotIdenticallyOneAtZero,
            formula.Span,
            frequencyVariable,
            shown);
    }

    private static CumulantExpansion Failed(SeriesError error) =>
        new(Array.Empty<Expr>(), Array.Empty<bool>(), new[] { error });

    private static CumulantExpansion Failed(SeriesErrorKind kind, SourceSpan span, DiagnosticDescriptor descriptor, params object[] arguments)
        => Failed(new SeriesError(kind, descriptor, span, arguments));
}

/// <summary>Carries a <see cref="SeriesError"/> out of the recursive evaluation to <see cref="CumulantExpander.Expand"/>.</summary>
internal sealed class SeriesFailure : Exception
{
    public SeriesFailure(SeriesError error)
        : base(error.Message) => Error = error;

    public SeriesError Error { get; }
}
