using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Harness.Tests.HarnessTestFramework", "Harness.Tests")]

namespace Harness.Tests;

/// <summary>
/// xunit's own framework plus one assembly-level teardown (xunit 2 has no assembly fixtures): when the last test
/// collection has finished, and before the run reports that it is done, the run's temp folder
/// (<see cref="TestSession"/>) is deleted.  Doing this here rather than on process exit matters: the test host is
/// stopped soon after the run ends, which could cut a large delete short and leave gigabytes of sweeps behind.
/// </summary>
public sealed class HarnessTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        // The signature xunit declares (async void); the base implementation is the same two lines with its own runner.
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    sealed class AssemblyRunner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink,
                                IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override Task BeforeTestAssemblyFinishedAsync()
        {
            TestSession.End();
            return base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
