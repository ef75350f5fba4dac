package runner

import (
	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/executor"
)

// resultOf maps an engine result to the protocol's.
func resultOf(r executor.Result) runnerv1.Result {
	switch r {
	case executor.ResultSuccess:
		return runnerv1.Result_RESULT_SUCCESS
	case executor.ResultFailure:
		return runnerv1.Result_RESULT_FAILURE
	case executor.ResultCancelled:
		return runnerv1.Result_RESULT_CANCELLED
	case executor.ResultSkipped:
		return runnerv1.Result_RESULT_SKIPPED
	}
	return runnerv1.Result_RESULT_UNSPECIFIED
}

// needResultOf maps a protocol result to what the needs context shows.
func needResultOf(r runnerv1.Result) executor.Result {
	switch r {
	case runnerv1.Result_RESULT_SUCCESS:
		return executor.ResultSuccess
	case runnerv1.Result_RESULT_FAILURE:
		return executor.ResultFailure
	case runnerv1.Result_RESULT_CANCELLED:
		return executor.ResultCancelled
	}
	return executor.ResultSkipped
}

// resultName is a result as the forge's UI words it.
func resultName(r runnerv1.Result) string {
	switch r {
	case runnerv1.Result_RESULT_SUCCESS:
		return "success"
	case runnerv1.Result_RESULT_FAILURE:
		return "failure"
	case runnerv1.Result_RESULT_CANCELLED:
		return "cancelled"
	case runnerv1.Result_RESULT_SKIPPED:
		return "skipped"
	}
	return "unknown"
}

// resultWord ends the last row: "Job succeeded", "Job failed", ...
func resultWord(r runnerv1.Result) string {
	switch r {
	case runnerv1.Result_RESULT_SUCCESS:
		return "succeeded"
	case runnerv1.Result_RESULT_CANCELLED:
		return "cancelled"
	case runnerv1.Result_RESULT_SKIPPED:
		return "skipped"
	}
	return "failed"
}
