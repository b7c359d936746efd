/** BT.709 SDR → BT.2020 PQ in ffmpeg (zimg): SDR white at 203 nits, 10-bit 4:2:0 out. */
export const SDR_TO_PQ_FILTER =
  'zscale=min=709:tin=709:pin=709:rin=limited:t=linear:p=709:m=709:npl=203,format=gbrpf32le,' +
  'zscale=p=2020:t=smpte2084:m=2020_ncl:r=limited:npl=203,format=yuv420p10le';
