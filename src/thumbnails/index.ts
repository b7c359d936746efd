export { pageThumbnails, THUMBNAIL_SIDE, thumbnailKey, thumbnailPath } from './thumbnail-url.js';
export { Thumbnailer, ThumbnailUnavailable } from './thumbnailer.js';
