package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// tokenSource is what readParagraphs reads tokens from: an html.Tokenizer,
// or fastTokens.
type tokenSource interface {
	Next() html.TokenType
	TagName() (name []byte, hasAttr bool)
	Text() []byte
}

// fastTokens gives the tokens html.Tokenizer gives for markup as the
// sanitizer writes it (text, and start, self-closing and end tags with
// quoted or plain attribute values) at a fraction of its cost, by
// scanning bytes. Anything else (a comment, a doctype, a "<" that does not
// start a tag, a carriage return in text, an element whose content the
// tokenizer reads raw, a tag it would read in another state) sets failed
// and ends the tokens: the caller then reads s with html.Tokenizer. Up to
// that point its tokens are html.Tokenizer's, which FuzzFastTokens checks.
type fastTokens struct {
	s      string
	pos    int
	failed bool
	name   []byte // the current tag's name, lowered
	hasAtt bool
	text   []byte
}

func (f *fastTokens) fail() html.TokenType {
	f.failed = true
	f.pos = len(f.s)
	return html.ErrorToken
}

// Next reads the next token.
func (f *fastTokens) Next() html.TokenType {
	s := f.s
	if f.pos >= len(s) {
		return html.ErrorToken
	}
	if s[f.pos] != '<' {
		end := strings.IndexByte(s[f.pos:], '<')
		if end < 0 {
			end = len(s)
		} else {
			end += f.pos
		}
		t := s[f.pos:end]
		f.pos = end
		if strings.IndexByte(t, '\r') >= 0 {
			return f.fail() // the tokenizer turns "\r\n" and "\r" into "\n"
		}
		if strings.IndexByte(t, '&') >= 0 {
			t = html.UnescapeString(t) // as Text unescapes text
		}
		f.text = append(f.text[:0], t...)
		return html.TextToken
	}
	i := f.pos + 1
	endTag := i < len(s) && s[i] == '/'
	if endTag {
		i++
	}
	if i >= len(s) || !isASCIIAlpha(s[i]) {
		return f.fail()
	}
	j := i
	for j < len(s) && (isASCIIAlpha(s[j]) || '0' <= s[j] && s[j] <= '9') {
		j++
	}
	if j >= len(s) || !(s[j] == '>' || s[j] == '/' || isTagSpace(s[j])) {
		return f.fail()
	}
	f.name = f.name[:0]
	for _, c := range []byte(s[i:j]) {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.name = append(f.name, c)
	}
	if endTag {
		if s[j] != '>' {
			return f.fail()
		}
		f.pos, f.hasAtt = j+1, false
		return html.EndTagToken
	}
	end, selfClosing, hasAttr, ok := skipAttrs(s, j)
	if !ok || rawTextElement(string(f.name)) {
		return f.fail()
	}
	f.pos, f.hasAtt = end, hasAttr
	if selfClosing {
		return html.SelfClosingTagToken
	}
	return html.StartTagToken
}

// TagName returns the current tag's name, lowered, and whether it has
// attributes.
func (f *fastTokens) TagName() ([]byte, bool) { return f.name, f.hasAtt }

// Text returns the current text token's text, unescaped.
func (f *fastTokens) Text() []byte { return f.text }

// skipAttrs reads the attributes of a start tag whose name ends at s[i:]
// and returns where the tag ends, whether it ends with "/>" and whether it
// has attributes. ok is false for what fastTokens leaves to the tokenizer:
// a tag not closed, a "/" not before ">", a quote, "<" or "=" inside a
// name, an unquoted value with a quote, "<", "=" or "`", or ending in "/"
// right before ">".
func skipAttrs(s string, i int) (end int, selfClosing, hasAttr, ok bool) {
	for {
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return 0, false, false, false
		}
		switch s[i] {
		case '>':
			return i + 1, false, hasAttr, true
		case '/':
			if i+1 < len(s) && s[i+1] == '>' {
				return i + 2, true, hasAttr, true
			}
			return 0, false, false, false
		case '=':
			return 0, false, false, false
		}
		for i < len(s) && !isTagSpace(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/' {
			if c := s[i]; c == '"' || c == '\'' || c == '<' {
				return 0, false, false, false
			}
			i++
		}
		hasAttr = true
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			continue
		}
		i++
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return 0, false, false, false
		}
		if q := s[i]; q == '"' || q == '\'' {
			e := strings.IndexByte(s[i+1:], q)
			if e < 0 {
				return 0, false, false, false
			}
			i += e + 2
			continue
		}
		for i < len(s) && !isTagSpace(s[i]) && s[i] != '>' {
			if c := s[i]; c == '"' || c == '\'' || c == '<' || c == '=' || c == '`' {
				return 0, false, false, false
			}
			i++
		}
		if i < len(s) && s[i] == '>' && s[i-1] == '/' {
			// "a=x/>" is a start tag, but after a repeated attribute,
			// which the tokenizer drops, a self-closing one.
			return 0, false, false, false
		}
	}
}

// rawTextElement tells the elements whose content html.Tokenizer reads as
// raw text or RCDATA rather than as markup.
func rawTextElement(name string) bool {
	switch name {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
}

// isTagSpace tells the white space that separates a tag's attributes.
func isTagSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isASCIIAlpha(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
