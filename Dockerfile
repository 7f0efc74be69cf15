# One image per app, from the same Dockerfile:
#   docker build --build-arg APP=command-api -t dapr-core-banking/command-api:0.1.0 .
# APP is one of command-api, query-api, actors, event-source, projections. The Dapr sidecar is
# not in the image: on Kubernetes the Dapr injector adds it (see deploy/kubernetes/).

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY packages/domain/package.json packages/domain/
COPY packages/contracts/package.json packages/contracts/
COPY packages/service-kit/package.json packages/service-kit/
COPY actors/package.json actors/
COPY command-api/package.json command-api/
COPY event-source/package.json event-source/
COPY projections/package.json projections/
COPY query-api/package.json query-api/
COPY dashboard/package.json dashboard/
RUN npm ci --ignore-scripts
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages packages
COPY actors actors
COPY command-api command-api
COPY event-source event-source
COPY projections projections
COPY query-api query-api
COPY dashboard dashboard
RUN npm run build

FROM node:20-bookworm-slim
ARG APP
RUN test -n "$APP" || (echo "build with --build-arg APP=<app>" && false)
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages/domain/package.json packages/domain/
COPY --from=build /src/packages/contracts/package.json packages/contracts/
COPY --from=build /src/packages/service-kit/package.json packages/service-kit/
COPY --from=build /src/actors/package.json actors/
COPY --from=build /src/command-api/package.json command-api/
COPY --from=build /src/event-source/package.json event-source/
COPY --from=build /src/projections/package.json projections/
COPY --from=build /src/query-api/package.json query-api/
COPY --from=build /src/dashboard/package.json dashboard/
# Production dependencies of this app only (and of the three shared packages it links to).
RUN npm ci --omit=dev --ignore-scripts --workspace "$APP" && npm cache clean --force
COPY --from=build /src/packages/domain/dist packages/domain/dist
COPY --from=build /src/packages/contracts/dist packages/contracts/dist
COPY --from=build /src/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /src/${APP}/dist ${APP}/dist
# The operators' dashboard, which query-api serves at / (static files; a few dozen KiB).
COPY --from=build /src/dashboard/dist dashboard/dist
# Files an app reads at run time besides its code: event-source loads ImmuDB's protocol definition.
COPY --from=build /src/event-source/proto event-source/proto
WORKDIR /app/${APP}
USER node
# An app listens on 127.0.0.1 (BIND_ADDRESS) unless told otherwise: its sidecar reaches it over
# the pod's loopback. The manifests open only the two public APIs to their Services.
CMD ["node", "dist/index.js"]
