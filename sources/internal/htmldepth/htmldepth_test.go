package htmldepth

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textOf is the text of n's descendants, with a space between text nodes.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data + " ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// repeat is "<html><body>" and unit written n times, formatted with the
// repetition's number.
func repeat(unit string, n int) []byte {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := range n {
		fmt.Fprintf(&b, unit, i)
	}
	return []byte(b.String())
}

// TestParseVeryDeep: markup that leaves the HTML parser more than 512
// elements open, in every shape that gets there (tags never closed, end
// tags the parser ignores, elements the parser adds or reopens itself), is
// parsed once flattened, every word of its text kept.
func TestParseVeryDeep(t *testing.T) {
	for _, unit := range []string{
		"<div>w%d ",
		`<div class="c"><p>w%d</p>`,
		"<span>w%d ",
		"<ul><li>w%d ",
		"<dl><dt>w%d ",
		"<b><i><u><s>w%d ",
		"<font color=red>w%d ",
		"<svg><g>w%d ",
		"<math><mi>w%d ",
		"<template>w%d ",
		"<ruby><rb>w%d ",
		// The parser adds a table body and row for each cell.
		"<table><td>w%d ",
		// The parser ignores </div> in a cell: the div stays open.
		"<div><table><tr><td>w%d</div>",
		// The parser reopens the formatting elements </div> closed.
		"<div><b id=%[1]d></div>w%[1]d ",
		"<a href=/%[1]d><div><select><tr>w%[1]d ",
		"<object><div><caption>w%d ",
	} {
		t.Run(unit, func(t *testing.T) {
			page := repeat(unit, 3000)
			if _, err := html.Parse(bytes.NewReader(page)); err == nil {
				t.Fatal("the HTML parser accepts the test page; it is not deep enough")
			}
			doc, err := Parse(page)
			if err != nil {
				t.Fatal(err)
			}
			words := strings.Fields(textOf(doc))
			if len(words) != 3000 || words[0] != "w0" || words[2999] != "w2999" {
				t.Errorf("text has %d words (%.40q ... %.40q), want w0 ... w2999", len(words), words[0], words[len(words)-1])
			}
		})
	}
}

// TestFlatten: below max, text, void elements and a link's href are kept,
// blocks become paragraph breaks, scripts and other tags go; a page no
// deeper than max is returned as it is.
func TestFlatten(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			name: "no deeper than max",
			in:   `<div><p>One <a href="/x">two</a></p><div><p>three</p></div></div><br><img src=a.jpg>`,
			want: `<div><p>One <a href="/x">two</a></p><div><p>three</p></div></div><br><img src=a.jpg>`,
		},
		{
			name: "blocks become paragraph breaks",
			in:   `<div><div><div><div><p>one</p><p>two</p></div>three</div>four</div></div>`,
			want: `<div><div><div><p>one<p>two<p>three</div>four</div></div>`,
		},
		{
			name: "links keep their href, images stay",
			in:   `<div><div><section><p>Read <a href="/r" class=x><b>the</b> <div>full</div> report</a> <img src="/g.jpg" alt=G><br>now</p></section></div></div>`,
			want: `<div><div><section><p>Read <a href="/r" class=x>the  full  report</a> <img src="/g.jpg" alt=G><br>now<p></section></div></div>`,
		},
		{
			name: "scripts and styles go with their text",
			in:   `<div><div><div><span><script>var p = "<p>";</script><style>p{}</style>text</span></div></div></div>`,
			want: `<div><div><div>text</div></div></div>`,
		},
		{
			name: "an end tag closes only the innermost element",
			in:   `<div><span><i></span></div><div><div>deep</div></div>`,
			want: `<div><span><i></span></div><p>deep<p>`,
		},
		{
			name: "a link left open below max is closed",
			in:   `<div><div><div><span><a href="/x">text</span></div><p>after</p>`,
			want: `<div><div><div><a href="/x">text </a><p>after<p>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Flatten([]byte(tt.in), 3)); got != tt.want {
				t.Errorf("Flatten:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestParseTooDeep: a page still too deep once flattened is reported as
// such, not with the parser's words alone.
func TestParseTooDeep(t *testing.T) {
	_, err := parse(repeat("<div>", 3000), 1<<20, html.Parse)
	if !errors.Is(err, ErrTooDeep) || !strings.HasPrefix(err.Error(), "page too deeply nested: ") {
		t.Fatalf("err = %v, want ErrTooDeep", err)
	}
	if _, err := ParseFragment(string(repeat("<div>x", 3000)), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}); err != nil {
		t.Errorf("ParseFragment: %v", err)
	}
}

// FuzzFlatten: whatever the markup, the parser accepts it flattened to a
// depth of 8 (the parser allows 512 open elements).
func FuzzFlatten(f *testing.F) {
	f.Add([]byte(`<div><table><tr><td>w</div><b id=1></div>x<svg><g/><path></svg>`))
	f.Add([]byte(`<a href=/1><div><select><tr>x<object><div><caption>y<template><ruby><rb>z`))
	f.Add([]byte(`<p>one<p>two<ul><li>three<li>four</ul><script>"<div>"</script>`))
	f.Fuzz(func(t *testing.T, page []byte) {
		// Repeat the input so that a few bytes can nest hundreds deep.
		page = bytes.Repeat(page, max(1, 2000/max(1, len(page))))
		if _, err := html.Parse(bytes.NewReader(Flatten(page, 8))); err != nil {
			t.Fatalf("flattened page refused: %v", err)
		}
	})
}
