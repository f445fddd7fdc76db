package pagecharset

import (
	"strings"
	"testing"
)

// TestToUTF8 lists how a page's bytes are read: byte order mark first,
// then the Content-Type, then a <meta> unless the page is valid UTF-8,
// then UTF-8 when the bytes are, else windows-1252.
func TestToUTF8(t *testing.T) {
	script := "<script>" + strings.Repeat("var a = 1; ", 120) + "</script>"
	tests := []struct {
		name, page, contentType, want string
	}{
		{"utf-8 byte order mark", "\xEF\xBB\xBFcafé", "", "café"},
		{"utf-8 byte order mark beats Content-Type", "\xEF\xBB\xBFcafé", "text/html; charset=iso-8859-1", "café"},
		// The decoder keeps a UTF-16 byte order mark, as U+FEFF.
		{"utf-16le byte order mark", "\xFF\xFEc\x00a\x00f\x00\xE9\x00", "", "\uFEFFcafé"},
		{"Content-Type charset", "caf\xE9", "text/html; charset=iso-8859-1", "café"},
		{"Content-Type charset beats valid UTF-8", "café", "text/html; charset=iso-8859-1", "cafÃ©"},
		{"Content-Type utf-8, invalid bytes replaced", "a\xFFb", "text/html; charset=utf-8", "a\uFFFDb"},
		{"meta charset", `<meta charset="windows-1252">caf` + "\xE9 \x93news\x94", "", `<meta charset="windows-1252">café “news”`},
		{"meta naming a legacy charset on a UTF-8 page", `<meta charset="iso-8859-1">café`, "", `<meta charset="iso-8859-1">café`},
		{"undeclared UTF-8", "café “news”", "text/html", "café “news”"},
		{"undeclared UTF-8 beyond 1024 bytes", script + "café", "", script + "café"},
		{"undeclared windows-1252", "caf\xE9 \x93news\x94", "", "café “news”"},
		{"undeclared ASCII", "plain text", "", "plain text"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToUTF8([]byte(tt.page), tt.contentType)
			if err != nil {
				t.Fatalf("ToUTF8: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("ToUTF8(%q, %q) = %q, want %q", tt.page, tt.contentType, got, tt.want)
			}
		})
	}
}

func TestIsUTF8Text(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"plain ASCII", false},
		{"café", true},
		{"caf\xE9", false},
		{"café \xFF", false},
	}
	for _, tt := range tests {
		if got := isUTF8Text([]byte(tt.in)); got != tt.want {
			t.Errorf("isUTF8Text(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
