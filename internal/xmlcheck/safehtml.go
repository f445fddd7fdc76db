package xmlcheck

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// forbiddenElements run code, load or embed other documents, submit data or
// restyle the reader's page: none may survive sanitizing.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "applet": true, "param": true,
	"form": true, "input": true, "button": true, "textarea": true, "select": true,
	"style": true, "link": true, "meta": true, "base": true, "frame": true, "frameset": true,
	"svg": true, "math": true,
}

// urlAttrs carry URLs a browser may load or navigate to.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "poster": true, "action": true, "formaction": true,
	"data": true, "background": true, "cite": true, "longdesc": true, "xlink:href": true, "lowsrc": true,
	"dynsrc": true, "usemap": true,
}

// UnsafeHTML parses s as an HTML fragment, as a feed reader would, and
// returns one problem for everything that could run code, submit data,
// embed a foreign document, restyle the page or track the reader: a
// forbidden or foreign (SVG, MathML) element; an event handler, srcdoc or
// style attribute; a URL attribute, or any comma-separated candidate in
// it, whose scheme runs code (ScriptScheme); an image from
// tracker.example or of at most one pixel. It returns nil for safe HTML.
//
// HTML nested deeper than golang.org/x/net/html parses (512 open
// elements), which Tributary may publish and browsers render, is read tag
// by tag instead, with the same checks.
func UnsafeHTML(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var problems []string
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		z := html.NewTokenizer(strings.NewReader(s))
		for {
			switch z.Next() {
			case html.ErrorToken:
				return problems
			case html.StartTagToken, html.SelfClosingTagToken:
				tok := z.Token()
				problems = append(problems, elementProblems(tok.Data, "", tok.Attr)...)
			}
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			problems = append(problems, elementProblems(n.Data, n.Namespace, n.Attr)...)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return problems
}

// elementProblems returns what UnsafeHTML finds in one element: its name
// (with its namespace, "svg" or "math", when the parser knows it) and its
// attributes.
func elementProblems(name, namespace string, attrs []html.Attribute) []string {
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if namespace != "" {
		report("keeps a <%s:%s> element", namespace, name)
	} else if forbiddenElements[name] {
		report("keeps a <%s> element", name)
	}
	var width, height string
	for _, a := range attrs {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" {
			key = a.Namespace + ":" + key
		}
		switch {
		case strings.HasPrefix(key, "on"):
			report("<%s> keeps event handler %s=%q", name, key, a.Val)
		case key == "srcdoc":
			report("<%s> keeps srcdoc", name)
		case key == "style":
			report("<%s> keeps style %q", name, a.Val)
		case urlAttrs[key]:
			if sc := ScriptScheme(a.Val); sc != "" {
				report("<%s> keeps %s=%q: %s URL", name, key, a.Val, sc)
				break
			}
			for _, cand := range strings.Split(a.Val, ",") {
				if f := strings.Fields(cand); len(f) > 0 {
					if sc := ScriptScheme(f[0]); sc != "" {
						report("<%s> keeps %s candidate %q: %s URL", name, key, f[0], sc)
					}
				}
			}
		case key == "width":
			width = a.Val
		case key == "height":
			height = a.Val
		}
		if name == "img" && (key == "src" || key == "srcset") && strings.Contains(a.Val, "tracker.example") {
			report("keeps tracking pixel %q", a.Val)
		}
	}
	if name == "img" && (tiny(width) || tiny(height)) {
		report("<img width=%q height=%q> is a tracking pixel", width, height)
	}
	return problems
}

// ScriptScheme returns the scheme of u ("javascript", "vbscript" or
// "data") when it is one that runs code or embeds a document, read the way
// browsers do (ignoring case, whitespace and control characters), else "".
func ScriptScheme(u string) string {
	s := strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(u))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(s, scheme) {
			return strings.TrimSuffix(scheme, ":")
		}
	}
	return ""
}

// tiny reports whether an image dimension is at most one pixel.
func tiny(v string) bool {
	v = strings.TrimSuffix(strings.TrimSpace(v), "px")
	n, err := strconv.Atoi(v)
	return err == nil && n <= 1
}
