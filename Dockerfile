# The embedded mock of the API as a container, for services in any language:
#   docker build -t upvest-webhooks-mock . && docker run -p 4010:4010 upvest-webhooks-mock
# It prints the base URL and the tenant's credentials; add --write-env /data/mock.env with a volume
# on /data to get them (and the private key as PEM) as files. Not built in CI (no Docker engine
# there); the command it runs is tested in src/cli/tools.test.ts.
FROM node:22-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
EXPOSE 4010
ENTRYPOINT ["node", "dist/bin/upvest-webhooks.js", "mock", "--host", "0.0.0.0", "--port", "4010"]
