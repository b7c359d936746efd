# Atelier on Debian with Node 20 and Debian's ffmpeg (it has libx264, libx265 and the EXR encoder).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# better-sqlite3 compiles from source here; the build tools go afterwards.
RUN npm ci && npm prune --omit=dev && apt-get purge -y make g++ && apt-get autoremove -y
ENV NODE_ENV=production ATELIER_HOST=0.0.0.0 ATELIER_DATA_DIR=/data FFMPEG_PATH=/usr/bin/ffmpeg FFPROBE_PATH=/usr/bin/ffprobe
VOLUME /data
EXPOSE 8080 9464
ENTRYPOINT ["node", "dist/src/cli/atelier.js"]
CMD ["serve"]
