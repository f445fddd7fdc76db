package server

import (
	"bytes"
	"cmp"
	"log/slog"
	"net/http"
	"time"

	"github.com/tributary/tributary/feeds"
	"github.com/tributary/tributary/internal/opml"
)

// handleOPML lists the published feeds (their Atom renderings) as OPML 2.0,
// so a reader can subscribe to all of them at once.
func (s *Server) handleOPML(w http.ResponseWriter, r *http.Request) {
	var links []opml.FeedLink
	p := s.opts.Publisher
	for _, f := range p.Feeds() {
		links = append(links, opml.FeedLink{Title: cmp.Or(f.Title, f.Name), URL: p.FeedURL(f.Name, feeds.Atom)})
	}
	s.writeOPML(w, opml.FeedsDocument(s.title(), time.Now(), links))
}

// handleSourcesOPML lists the configured sources as OPML 2.0 (see
// opml.SourcesDocument: folders by first tag, no credentials, no local
// files), for moving the subscriptions to a reader or to another
// Tributary (`tributary import-opml`).
func (s *Server) handleSourcesOPML(w http.ResponseWriter, r *http.Request) {
	s.writeOPML(w, opml.SourcesDocument(s.title()+" sources", time.Now(), s.opts.Sources))
}

func (s *Server) writeOPML(w http.ResponseWriter, doc opml.Document) {
	var b bytes.Buffer
	if err := opml.Write(&b, doc); err != nil {
		s.log.Error("render opml", slog.Any("error", err))
		http.Error(w, "opml unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// title is the site title, "Tributary" when unset.
func (s *Server) title() string {
	if s.opts.Title == "" {
		return "Tributary"
	}
	return s.opts.Title
}
