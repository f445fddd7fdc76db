package server

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"time"
)

type opmlDoc struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Created string        `xml:"head>dateCreated"`
	Body    []opmlOutline `xml:"body>outline"`
}

type opmlOutline struct {
	Type    string `xml:"type,attr"`
	Text    string `xml:"text,attr"`
	Title   string `xml:"title,attr"`
	XMLURL  string `xml:"xmlUrl,attr"`
	HTMLURL string `xml:"htmlUrl,attr,omitempty"`
}

// handleOPML lists the published feeds (their Atom renderings) as OPML 2.0,
// so a reader can subscribe to all of them at once.
func (s *Server) handleOPML(w http.ResponseWriter, r *http.Request) {
	title := s.opts.Title
	if title == "" {
		title = "Tributary"
	}
	doc := opmlDoc{Version: "2.0", Title: title, Created: time.Now().UTC().Format(time.RFC1123Z)}
	for _, f := range s.feedLinks() {
		doc.Body = append(doc.Body, opmlOutline{Type: "rss", Text: f.Title, Title: f.Title, XMLURL: f.Atom})
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		s.log.Error("render opml", slog.Any("error", err))
	}
}
