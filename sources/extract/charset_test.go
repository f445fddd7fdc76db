package extract

import (
	"strings"
	"testing"
)

// TestUndeclaredUTF8 reads as UTF-8 a page that declares no charset where
// the standard's prescan can see it (the <meta> comes after 1024 bytes of
// inline script), instead of the windows-1252 fallback; a page in a
// legacy charset that is not valid UTF-8 still gets the fallback.
func TestUndeclaredUTF8(t *testing.T) {
	script := "<script>var config = {" + strings.Repeat(`"key": "value", `, 100) + "};</script>"
	story := storyBody[:len(storyBody)-len("</article>")] + "<p>“Nobody expected the water to come this far,” said the owner of the café on Mill Street, who’s lived there since 1971.</p></article>"
	utf8Page := "<!DOCTYPE html><html><head>" + script + `<meta charset="utf-8"><meta property="og:title" content="Café “news”"></head><body>` + story + "</body></html>"
	undeclared := strings.Replace(utf8Page, `<meta charset="utf-8">`, "", 1)
	tests := []struct {
		name, body, contentType string
	}{
		{"meta beyond 1024 bytes", utf8Page, ""},
		{"no charset anywhere", undeclared, "text/html"},
		{"meta naming a legacy charset", strings.Replace(undeclared, "<head>", `<head><meta charset="iso-8859-1">`, 1), ""},
		{"windows-1252 without a declaration", strings.NewReplacer("“", "\x93", "”", "\x94", "’", "\x92", "é", "\xe9").Replace(utf8Page), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract([]byte(tt.body), storyURL, Options{ContentType: tt.contentType})
			if err != nil {
				t.Fatal(err)
			}
			if res.Title != "Café “news”" {
				t.Errorf("Title = %q, want %q", res.Title, "Café “news”")
			}
			if !strings.Contains(res.Content, "“Nobody expected the water to come this far,” said the owner of the café on Mill Street, who’s lived") {
				t.Errorf("Content not decoded:\n%s", res.Content)
			}
		})
	}
}
