# Tributary's container image: a static binary on distroless, run as a
# non-root user, with the SQLite database in the /data volume.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t tributary .
#   docker run -d -p 8080:8080 -v tributary-data:/data tributary
#
# docs/deployment.md has the details (base_url, your own config.yaml).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/usr/bin/tributary ./cmd/tributary
# The shipped config.yaml, the JSON Schema its first line points editors
# to, and the local examples it reads (paths in it are relative to the
# file); an empty /data for the volume; the licenses of Tributary and of
# every module linked into the binary.
RUN mkdir -p /out/etc/tributary /out/data /out/usr/share/doc/tributary/modules \
 && cp config.yaml /out/etc/tributary/config.yaml \
 && cp config.schema.json /out/etc/tributary/config.schema.json \
 && cp -R examples /out/etc/tributary/examples \
 && cp LICENSE NOTICE /out/usr/share/doc/tributary/ \
 && go list -deps -f '{{with .Module}}{{if .Version}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}{{end}}' ./cmd/tributary \
    | sort -u | while read -r mod dir; do \
        mkdir -p "/out/usr/share/doc/tributary/modules/$mod" \
        && find "$dir" -maxdepth 1 -type f \( -iname 'LICEN[CS]E*' -o -iname 'COPYING*' -o -iname 'NOTICE*' \) \
           -exec cp {} "/out/usr/share/doc/tributary/modules/$mod/" \; ; \
      done

# static-debian12 holds CA certificates, tzdata and /etc/passwd with the
# nonroot user (65532); nothing else, not even a shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/usr /usr
COPY --from=build /out/etc/tributary /etc/tributary
COPY --from=build --chown=65532:65532 /out/data /data
# The shipped config.yaml reads these (see docs/configuration.md); set
# TRIBUTARY_BASE_URL to the address your readers use.
ENV TRIBUTARY_LISTEN=0.0.0.0:8080 \
    TRIBUTARY_BASE_URL=http://127.0.0.1:8080 \
    TRIBUTARY_DB=/data/tributary.db
VOLUME /data
WORKDIR /data
EXPOSE 8080
# nonroot, numeric so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["tributary", "--config", "/etc/tributary/config.yaml", "healthcheck"]
ENTRYPOINT ["tributary", "--config", "/etc/tributary/config.yaml"]
CMD ["serve"]
