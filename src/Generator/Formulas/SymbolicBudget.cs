using System;
using System.Runtime.CompilerServices;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>
/// A bound on the symbolic work of one declaration: every expression node made counts against it,
/// and each one checks that the thread's stack has room left. Differentiation and simplification can
/// grow a formula exponentially (an exponent tower, nested functions); the generator then stops with
/// a diagnostic instead of exhausting the compiler's memory or stack. Off outside a <see cref="Start"/>
/// scope, so unit tests of the formula stages are unbounded.
/// </summary>
internal static class SymbolicBudget
{
    /// <summary>Expression nodes one declaration may make: a hundred times what the largest sample needs.</summary>
    public const long DefaultNodes = 50_000;

    [ThreadStatic] private static long remaining;
    [ThreadStatic] private static bool active;

    /// <summary>Bounds the work on this thread until the returned scope is disposed.</summary>
    public static Scope Start(long nodes = DefaultNodes)
    {
        bool wasActive = active;
        long wasRemaining = remaining;
        active = true;
        remaining = nodes;
        return new Scope(wasActive, wasRemaining);
    }

    /// <summary>Counts one node; throws <see cref="SymbolicBudgetExceededException"/> or <see cref="InsufficientExecutionStackException"/> when the budget is spent.</summary>
    public static void Spend()
    {
        if (!active)
        {
            return;
        }
        if (--remaining < 0)
        {
            throw new SymbolicBudgetExceededException();
        }
        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    public readonly struct Scope : IDisposable
    {
        private readonly bool wasActive;
        private readonly long wasRemaining;

        public Scope(bool wasActive, long wasRemaining)
        {
            this.wasActive = wasActive;
            this.wasRemaining = wasRemaining;
        }

        public void Dispose()
        {
            active = wasActive;
            remaining = wasRemaining;
        }
    }
}

/// <summary>Thrown by <see cref="SymbolicBudget.Spend"/>; becomes SBG024.</summary>
internal sealed class SymbolicBudgetExceededException : Exception
{
}
