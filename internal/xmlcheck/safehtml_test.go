package xmlcheck_test

import (
	"strings"
	"testing"

	"github.com/tributary/tributary/internal/xmlcheck"
)

// TestUnsafeHTMLReadsDeepHTML checks the tag-by-tag reading of HTML too
// deep for the parser: it still finds what is unsafe, and passes what is
// not. (The vectors themselves are listed in cmd/tributary's
// TestUnsafeHTMLCatchesEachVector.)
func TestUnsafeHTMLReadsDeepHTML(t *testing.T) {
	deep := func(inner string) string {
		return strings.Repeat("<div><b>", 2000) + inner + strings.Repeat("</b></div>", 2000)
	}
	if p := xmlcheck.UnsafeHTML(deep("safe text")); len(p) != 0 {
		t.Errorf("deep safe HTML flagged: %q", p)
	}
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src="x.jpg" onerror="alert(1)">`,
		`<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>`,
		`<img srcset="https://example.com/a.jpg 1x, javascript:alert(1) 2x">`,
		`<p style="color:red">x</p>`,
		`<img src="https://example.com/p.gif" width="1">`,
	} {
		if len(xmlcheck.UnsafeHTML(deep(bad))) == 0 {
			t.Errorf("deep HTML: checker misses %s", bad)
		}
	}
}
