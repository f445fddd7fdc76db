package fetch

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEQuotesErrors keeps the README's wording of the errors a user
// sees in `fetch` lines and logs the same as the code's.
func TestREADMEQuotesErrors(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []error{ErrBlockedAddress} {
		quoted := "`" + strings.TrimPrefix(e.Error(), "fetch: ") + "`"
		if !strings.Contains(string(readme), quoted) {
			t.Errorf("README.md does not quote the error %s as %s", e, quoted)
		}
	}
}
