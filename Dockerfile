# syntax=docker/dockerfile:1
# The pctl hook server: one image, two Deployments (PCTL_ROLE=subscription | catalog); see docs/install.md.
# Build: docker build -t ghcr.io/pctl-dev/pctl:0.1.0 .   (the tag lives in synth/deploy/settings.ts)

# Compile TypeScript with the full dev toolchain.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY hooks ./hooks
COPY synth ./synth
COPY crds ./crds
COPY cli ./cli
RUN npm run build

# Production dependencies only, resolved from the same lock file.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json carries "type": "module", without which Node would load dist/ as CommonJS.
COPY package.json ./
# The image's `node` user, given numerically so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
CMD ["node", "dist/hooks/main.js"]
