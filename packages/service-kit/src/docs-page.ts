/**
 * A self-contained page that renders /openapi.json: no CDN, no bundled UI framework, so the
 * docs work offline and behind any proxy.
 */
export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}.op{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0}
summary{cursor:pointer;padding:.5rem .8rem;font-family:ui-monospace,monospace}
.m{display:inline-block;width:4.2rem;font-weight:700}.get{color:#0969da}.post{color:#1a7f37}
.body{padding:0 1rem 1rem}pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:13px}
</style></head><body><h1>${escapeHtml(title)}</h1><p id="desc"></p><div id="ops">Loading /openapi.json ...</div>
<script>
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description||'';
  const ops=document.getElementById('ops');ops.textContent='';
  for(const [path,methods] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(methods)){
    const d=document.createElement('details');d.className='op';
    const s=document.createElement('summary');s.innerHTML='<span class="m '+m+'">'+m.toUpperCase()+'</span>';
    s.append(path+'  ');const em=document.createElement('em');em.textContent=op.summary;s.append(em);d.append(s);
    const b=document.createElement('div');b.className='body';
    const add=(h,obj)=>{const t=document.createElement('h4');t.textContent=h;const p=document.createElement('pre');p.textContent=JSON.stringify(obj,null,2);b.append(t,p)};
    if(op.description){const p=document.createElement('p');p.textContent=op.description;b.append(p)}
    if(op.parameters)add('Parameters',op.parameters);
    if(op.requestBody)add('Request body',op.requestBody.content['application/json'].schema);
    add('Responses',op.responses);d.append(b);ops.append(d);
  }}
});
</script></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
