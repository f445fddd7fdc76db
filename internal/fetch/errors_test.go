package fetch

import (
	"os"
	"strings"
	"testing"
)

// TestDocsQuoteErrors keeps the wording of the errors a user sees in
// `fetch` lines and logs the same in docs/security.md as in the code.
func TestDocsQuoteErrors(t *testing.T) {
	readme, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []error{ErrBlockedAddress, ErrLocalFile} {
		quoted := "`" + strings.TrimPrefix(e.Error(), "fetch: ") + "`"
		if !strings.Contains(string(readme), quoted) {
			t.Errorf("docs/security.md does not quote the error %s as %s", e, quoted)
		}
	}
}
