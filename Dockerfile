# syntax=docker/dockerfile:1
# Build stage: install everything, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY proto ./proto
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies, compiled code and the protos, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY ui ./ui
COPY examples ./examples
USER node
# 15010: xDS (plaintext gRPC), 15014: /ready, /metrics
EXPOSE 15010 15014
# `mini-istiod serve`; arguments after the image name are serve flags.
ENTRYPOINT ["node", "dist/src/cli/main.js", "serve"]
CMD ["--config-dir", "examples/bookinfo", "--grpc-addr", "0.0.0.0:15010", "--http-addr", "0.0.0.0:15014"]
