# The mentorflow binary and nothing else: built in a Rust image, copied into an empty one.
#   docker build -t mentorflow .
#   docker run --rm -v "$PWD:/work" -w /work mentorflow --store cohort.db status
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
# Statically linked (musl), so the final image needs no C library; SQLite is bundled.
RUN rustup target add x86_64-unknown-linux-musl \
    && apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && cargo build --release --locked -p mentorflow --target x86_64-unknown-linux-musl

FROM scratch
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/mentorflow /mentorflow
COPY --from=build /src/LICENSE-MIT /src/LICENSE-APACHE /
# The store and programs live in a mounted folder; the binary needs no home or shell.
ENV USER=mentorflow
ENTRYPOINT ["/mentorflow"]
