package testpki

import (
	"os"
	"os/exec"
	"testing"
)

// RequireToolsEnv, when set (as .ci/run sets it), turns a missing external
// tool from a skipped test into a failed one, so that CI never skips.
const RequireToolsEnv = "CHAINTOOL_REQUIRE_TOOLS"

// NeedTool returns the path of an external program a test talks to
// (openssl, curl, nginx, python3). When it is missing the test is skipped,
// or failed under CHAINTOOL_REQUIRE_TOOLS.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(RequireToolsEnv) != "" {
		t.Fatalf("%s is required (%s is set) but not installed", name, RequireToolsEnv)
	}
	t.Skipf("%s not installed", name)
	return ""
}

// ToolMissing reports whether name is absent, and fails instead under
// CHAINTOOL_REQUIRE_TOOLS: the form testscript conditions need.
func ToolMissing(name string) (missing bool, err error) {
	if _, err := exec.LookPath(name); err == nil {
		return false, nil
	}
	if os.Getenv(RequireToolsEnv) != "" {
		return true, &requiredError{name}
	}
	return true, nil
}

type requiredError struct{ name string }

func (e *requiredError) Error() string {
	return e.name + " is required (" + RequireToolsEnv + " is set) but not installed"
}
