// Esendex SMS messages card. Built from frontend/ by `npm run build`: do not edit.
var lt=Object.defineProperty;var ct=(r,e,t)=>e in r?lt(r,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):r[e]=t;var g=(r,e,t)=>ct(r,typeof e!="symbol"?e+"":e,t);var j=globalThis,V=j.ShadowRoot&&(j.ShadyCSS===void 0||j.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,J=Symbol(),be=new WeakMap,D=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==J)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(V&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=be.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&be.set(t,e))}return e}toString(){return this.cssText}},xe=r=>new D(typeof r=="string"?r:r+"",void 0,J),X=(r,...e)=>{let t=r.length===1?r[0]:e.reduce((s,i,n)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[n+1],r[0]);return new D(t,r,J)},$e=(r,e)=>{if(V)r.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),i=j.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=t.cssText,r.appendChild(s)}},Q=V?r=>r:r=>r instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return xe(t)})(r):r;var{is:ht,defineProperty:ut,getOwnPropertyDescriptor:pt,getOwnPropertyNames:_t,getOwnPropertySymbols:gt,getPrototypeOf:ft}=Object,B=globalThis,Se=B.trustedTypes,mt=Se?Se.emptyScript:"",yt=B.reactiveElementPolyfillSupport,N=(r,e)=>r,ee={toAttribute(r,e){switch(e){case Boolean:r=r?mt:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,e){let t=r;switch(e){case Boolean:t=r!==null;break;case Number:t=r===null?null:Number(r);break;case Object:case Array:try{t=JSON.parse(r)}catch{t=null}}return t}},Ee=(r,e)=>!ht(r,e),we={attribute:!0,type:String,converter:ee,reflect:!1,useDefault:!1,hasChanged:Ee};Symbol.metadata??=Symbol("metadata"),B.litPropertyMetadata??=new WeakMap;var y=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=we){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(e,s,t);i!==void 0&&ut(this.prototype,e,i)}}static getPropertyDescriptor(e,t,s){let{get:i,set:n}=pt(this.prototype,e)??{get(){return this[t]},set(o){this[t]=o}};return{get:i,set(o){let d=i?.call(this);n?.call(this,o),this.requestUpdate(e,d,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??we}static _$Ei(){if(this.hasOwnProperty(N("elementProperties")))return;let e=ft(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(N("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(N("properties"))){let t=this.properties,s=[..._t(t),...gt(t)];for(let i of s)this.createProperty(i,t[i])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,i]of t)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let i=this._$Eu(t,s);i!==void 0&&this._$Eh.set(i,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let i of s)t.unshift(Q(i))}else e!==void 0&&t.push(Q(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return $e(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),i=this.constructor._$Eu(e,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:ee).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,i=s._$Eh.get(e);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),o=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:ee;this._$Em=i;let d=o.fromAttribute(t,n.type);this[i]=d??this._$Ej?.get(i)??d,this._$Em=null}}requestUpdate(e,t,s,i=!1,n){if(e!==void 0){let o=this.constructor;if(i===!1&&(n=this[e]),s??=o.getPropertyOptions(e),!((s.hasChanged??Ee)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(o._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:i,wrapped:n},o){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,o??t??this[e]),n!==!0||o!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),i===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:o}=n,d=this[i];o!==!0||this._$AL.has(i)||d===void 0||this.C(i,void 0,n,d)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[N("elementProperties")]=new Map,y[N("finalized")]=new Map,yt?.({ReactiveElement:y}),(B.reactiveElementVersions??=[]).push("2.1.2");var ae=globalThis,Ae=r=>r,W=ae.trustedTypes,Te=W?W.createPolicy("lit-html",{createHTML:r=>r}):void 0,Ne="$lit$",b=`lit$${Math.random().toFixed(9).slice(2)}$`,He="?"+b,vt=`<${He}>`,S=document,U=()=>S.createComment(""),L=r=>r===null||typeof r!="object"&&typeof r!="function",de=Array.isArray,bt=r=>de(r)||typeof r?.[Symbol.iterator]=="function",te=`[ 	
\f\r]`,H=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,ke=/-->/g,Ce=/>/g,x=RegExp(`>|${te}(?:([^\\s"'>=/]+)(${te}*=${te}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Me=/'/g,Re=/"/g,Ue=/^(?:script|style|textarea|title)$/i,le=r=>(e,...t)=>({_$litType$:r,strings:e,values:t}),p=le(1),K=le(2),Wt=le(3),w=Symbol.for("lit-noChange"),c=Symbol.for("lit-nothing"),De=new WeakMap,$=S.createTreeWalker(S,129);function Le(r,e){if(!de(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Te!==void 0?Te.createHTML(e):e}var xt=(r,e)=>{let t=r.length-1,s=[],i,n=e===2?"<svg>":e===3?"<math>":"",o=H;for(let d=0;d<t;d++){let a=r[d],l,u,h=-1,f=0;for(;f<a.length&&(o.lastIndex=f,u=o.exec(a),u!==null);)f=o.lastIndex,o===H?u[1]==="!--"?o=ke:u[1]!==void 0?o=Ce:u[2]!==void 0?(Ue.test(u[2])&&(i=RegExp("</"+u[2],"g")),o=x):u[3]!==void 0&&(o=x):o===x?u[0]===">"?(o=i??H,h=-1):u[1]===void 0?h=-2:(h=o.lastIndex-u[2].length,l=u[1],o=u[3]===void 0?x:u[3]==='"'?Re:Me):o===Re||o===Me?o=x:o===ke||o===Ce?o=H:(o=x,i=void 0);let _=o===x&&r[d+1].startsWith("/>")?" ":"";n+=o===H?a+vt:h>=0?(s.push(l),a.slice(0,h)+Ne+a.slice(h)+b+_):a+b+(h===-2?d:_)}return[Le(r,n+(r[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},P=class r{constructor({strings:e,_$litType$:t},s){let i;this.parts=[];let n=0,o=0,d=e.length-1,a=this.parts,[l,u]=xt(e,t);if(this.el=r.createElement(l,s),$.currentNode=this.el.content,t===2||t===3){let h=this.el.content.firstChild;h.replaceWith(...h.childNodes)}for(;(i=$.nextNode())!==null&&a.length<d;){if(i.nodeType===1){if(i.hasAttributes())for(let h of i.getAttributeNames())if(h.endsWith(Ne)){let f=u[o++],_=i.getAttribute(h).split(b),v=/([.?@])?(.*)/.exec(f);a.push({type:1,index:n,name:v[2],strings:_,ctor:v[1]==="."?re:v[1]==="?"?ie:v[1]==="@"?ne:T}),i.removeAttribute(h)}else h.startsWith(b)&&(a.push({type:6,index:n}),i.removeAttribute(h));if(Ue.test(i.tagName)){let h=i.textContent.split(b),f=h.length-1;if(f>0){i.textContent=W?W.emptyScript:"";for(let _=0;_<f;_++)i.append(h[_],U()),$.nextNode(),a.push({type:2,index:++n});i.append(h[f],U())}}}else if(i.nodeType===8)if(i.data===He)a.push({type:2,index:n});else{let h=-1;for(;(h=i.data.indexOf(b,h+1))!==-1;)a.push({type:7,index:n}),h+=b.length-1}n++}}static createElement(e,t){let s=S.createElement("template");return s.innerHTML=e,s}};function A(r,e,t=r,s){if(e===w)return e;let i=s!==void 0?t._$Co?.[s]:t._$Cl,n=L(e)?void 0:e._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(r),i._$AT(r,t,s)),s!==void 0?(t._$Co??=[])[s]=i:t._$Cl=i),i!==void 0&&(e=A(r,i._$AS(r,e.values),i,s)),e}var se=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,i=(e?.creationScope??S).importNode(t,!0);$.currentNode=i;let n=$.nextNode(),o=0,d=0,a=s[0];for(;a!==void 0;){if(o===a.index){let l;a.type===2?l=new O(n,n.nextSibling,this,e):a.type===1?l=new a.ctor(n,a.name,a.strings,this,e):a.type===6&&(l=new oe(n,this,e)),this._$AV.push(l),a=s[++d]}o!==a?.index&&(n=$.nextNode(),o++)}return $.currentNode=S,i}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},O=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,i){this.type=2,this._$AH=c,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=A(this,e,t),L(e)?e===c||e==null||e===""?(this._$AH!==c&&this._$AR(),this._$AH=c):e!==this._$AH&&e!==w&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):bt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==c&&L(this._$AH)?this._$AA.nextSibling.data=e:this.T(S.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,i=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=P.createElement(Le(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(t);else{let n=new se(i,this),o=n.u(this.options);n.p(t),this.T(o),this._$AH=n}}_$AC(e){let t=De.get(e.strings);return t===void 0&&De.set(e.strings,t=new P(e)),t}k(e){de(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,i=0;for(let n of e)i===t.length?t.push(s=new r(this.O(U()),this.O(U()),this,this.options)):s=t[i],s._$AI(n),i++;i<t.length&&(this._$AR(s&&s._$AB.nextSibling,i),t.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Ae(e).nextSibling;Ae(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},T=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,i,n){this.type=1,this._$AH=c,this._$AN=void 0,this.element=e,this.name=t,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=c}_$AI(e,t=this,s,i){let n=this.strings,o=!1;if(n===void 0)e=A(this,e,t,0),o=!L(e)||e!==this._$AH&&e!==w,o&&(this._$AH=e);else{let d=e,a,l;for(e=n[0],a=0;a<n.length-1;a++)l=A(this,d[s+a],t,a),l===w&&(l=this._$AH[a]),o||=!L(l)||l!==this._$AH[a],l===c?e=c:e!==c&&(e+=(l??"")+n[a+1]),this._$AH[a]=l}o&&!i&&this.j(e)}j(e){e===c?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},re=class extends T{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===c?void 0:e}},ie=class extends T{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==c)}},ne=class extends T{constructor(e,t,s,i,n){super(e,t,s,i,n),this.type=5}_$AI(e,t=this){if((e=A(this,e,t,0)??c)===w)return;let s=this._$AH,i=e===c&&s!==c||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==c&&(s===c||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},oe=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){A(this,e)}};var $t=ae.litHtmlPolyfillSupport;$t?.(P,O),(ae.litHtmlVersions??=[]).push("3.3.3");var Pe=(r,e,t)=>{let s=t?.renderBefore??e,i=s._$litPart$;if(i===void 0){let n=t?.renderBefore??null;s._$litPart$=i=new O(e.insertBefore(U(),n),n,void 0,t??{})}return i._$AI(r),i};var ce=globalThis,m=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Pe(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return w}};m._$litElement$=!0,m.finalized=!0,ce.litElementHydrateSupport?.({LitElement:m});var St=ce.litElementPolyfillSupport;St?.({LitElement:m});(ce.litElementVersions??=[]).push("4.2.2");var I="esendex-messages-card";function Oe(r){return typeof r=="string"&&r.trim()!==""}function Ie(r){if(!r||typeof r!="object")throw new Error("Invalid configuration of the Esendex messages card");let e=Oe(r.entry_id)?r.entry_id.trim():void 0,t=Oe(r.device_id)?r.device_id.trim():void 0;if(!e&&!t)throw new Error("The Esendex messages card needs entry_id (or device_id) of an Esendex SMS entry");if(r.title!==void 0&&r.title!==null&&typeof r.title!="string")throw new Error("title of the Esendex messages card must be text");let s=5;if(r.threads!==void 0&&r.threads!==null){let n=Number(r.threads);if(!Number.isFinite(n)||n<1)throw new Error("threads of the Esendex messages card must be 1 to 50");s=Math.min(50,Math.floor(n))}let i={type:r.type,threads:s,show_reply:r.show_reply!==!1};return e&&(i.entry_id=e),t&&(i.device_id=t),r.title&&(i.title=r.title),i}function ze(r){return r.entry_id?{entry_id:r.entry_id}:{device_id:r.device_id}}var Fe={en:{not_available:"Messages not available",not_allowed:"Not allowed to read the messages",retrying:"Trying again…",loading:"Loading…",no_messages:"No messages yet",back:"Back",load_earlier:"Load earlier",you:"You: ",opted_out:"Opted out",opted_out_line:"Opted out of SMS",today:"Today",yesterday:"Yesterday",assist:"Assist",unread:"{n} unread",placeholder:"Text message",send:"Send",sending:"Sending…",left:"{n} left",parts:"{n} SMS",unicode:"Unicode",unicode_hint:"A character outside GSM-7: 70 per SMS, 67 per part",receive_only:"Receive only",tick_sent:"Sent",tick_delivered:"Delivered",tick_failed:"Failed",failed_unknown:"Not delivered",editor_entry:"Esendex SMS entry",editor_title:"Title",editor_threads:"Threads shown",editor_show_reply:"Show the reply box"},de:{not_available:"Nachrichten nicht verfügbar",not_allowed:"Keine Berechtigung für die Nachrichten",retrying:"Neuer Versuch…",loading:"Wird geladen…",no_messages:"Noch keine Nachrichten",back:"Zurück",load_earlier:"Ältere laden",you:"Du: ",opted_out:"Abgemeldet",opted_out_line:"Von SMS abgemeldet",today:"Heute",yesterday:"Gestern",assist:"Assist",unread:"{n} ungelesen",placeholder:"SMS schreiben",send:"Senden",sending:"Wird gesendet…",left:"noch {n}",parts:"{n} SMS",unicode:"Unicode",unicode_hint:"Ein Zeichen außerhalb von GSM-7: 70 pro SMS, 67 pro Teil",receive_only:"Nur Empfang",tick_sent:"Gesendet",tick_delivered:"Zugestellt",tick_failed:"Fehlgeschlagen",failed_unknown:"Nicht zugestellt",editor_entry:"Esendex-SMS-Eintrag",editor_title:"Titel",editor_threads:"Angezeigte Verläufe",editor_show_reply:"Antwortfeld anzeigen"},fr:{not_available:"Messages indisponibles",not_allowed:"Lecture des messages non autorisée",retrying:"Nouvel essai…",loading:"Chargement…",no_messages:"Aucun message",back:"Retour",load_earlier:"Plus anciens",you:"Vous : ",opted_out:"Désinscrit",opted_out_line:"Désinscrit des SMS",today:"Aujourd’hui",yesterday:"Hier",assist:"Assist",unread:"{n} non lu(s)",placeholder:"SMS",send:"Envoyer",sending:"Envoi…",left:"{n} restants",parts:"{n} SMS",unicode:"Unicode",unicode_hint:"Un caractère hors GSM-7 : 70 par SMS, 67 par partie",receive_only:"Réception seule",tick_sent:"Envoyé",tick_delivered:"Remis",tick_failed:"Échec",failed_unknown:"Non remis",editor_entry:"Entrée Esendex SMS",editor_title:"Titre",editor_threads:"Conversations affichées",editor_show_reply:"Afficher la zone de réponse"},es:{not_available:"Mensajes no disponibles",not_allowed:"Sin permiso para leer los mensajes",retrying:"Reintentando…",loading:"Cargando…",no_messages:"Aún no hay mensajes",back:"Atrás",load_earlier:"Cargar anteriores",you:"Tú: ",opted_out:"Dado de baja",opted_out_line:"Dado de baja de los SMS",today:"Hoy",yesterday:"Ayer",assist:"Assist",unread:"{n} sin leer",placeholder:"Mensaje de texto",send:"Enviar",sending:"Enviando…",left:"quedan {n}",parts:"{n} SMS",unicode:"Unicode",unicode_hint:"Un carácter fuera de GSM-7: 70 por SMS, 67 por parte",receive_only:"Solo recepción",tick_sent:"Enviado",tick_delivered:"Entregado",tick_failed:"Fallido",failed_unknown:"No entregado",editor_entry:"Entrada de Esendex SMS",editor_title:"Título",editor_threads:"Conversaciones mostradas",editor_show_reply:"Mostrar el cuadro de respuesta"},nl:{not_available:"Berichten niet beschikbaar",not_allowed:"Geen toegang tot de berichten",retrying:"Opnieuw proberen…",loading:"Laden…",no_messages:"Nog geen berichten",back:"Terug",load_earlier:"Eerdere laden",you:"Jij: ",opted_out:"Afgemeld",opted_out_line:"Afgemeld voor sms",today:"Vandaag",yesterday:"Gisteren",assist:"Assist",unread:"{n} ongelezen",placeholder:"Sms-bericht",send:"Versturen",sending:"Versturen…",left:"nog {n}",parts:"{n} sms",unicode:"Unicode",unicode_hint:"Een teken buiten GSM-7: 70 per sms, 67 per deel",receive_only:"Alleen ontvangen",tick_sent:"Verstuurd",tick_delivered:"Afgeleverd",tick_failed:"Mislukt",failed_unknown:"Niet afgeleverd",editor_entry:"Esendex SMS-item",editor_title:"Titel",editor_threads:"Getoonde gesprekken",editor_show_reply:"Antwoordvak tonen"},it:{not_available:"Messaggi non disponibili",not_allowed:"Lettura dei messaggi non consentita",retrying:"Nuovo tentativo…",loading:"Caricamento…",no_messages:"Ancora nessun messaggio",back:"Indietro",load_earlier:"Carica precedenti",you:"Tu: ",opted_out:"Disiscritto",opted_out_line:"Disiscritto dagli SMS",today:"Oggi",yesterday:"Ieri",assist:"Assist",unread:"{n} non letti",placeholder:"Messaggio",send:"Invia",sending:"Invio…",left:"{n} rimasti",parts:"{n} SMS",unicode:"Unicode",unicode_hint:"Un carattere fuori da GSM-7: 70 per SMS, 67 per parte",receive_only:"Solo ricezione",tick_sent:"Inviato",tick_delivered:"Consegnato",tick_failed:"Non riuscito",failed_unknown:"Non consegnato",editor_entry:"Voce Esendex SMS",editor_title:"Titolo",editor_threads:"Conversazioni mostrate",editor_show_reply:"Mostra la casella di risposta"}};function wt(r){let e=(r??"").toLowerCase().split(/[-_]/)[0]??"";return e in Fe?e:"en"}function q(r){return Fe[wt(r)]}function Y(r,e){return r.replace(/\{(\w+)\}/g,(t,s)=>s in e?String(e[s]):t)}var F="esendex-messages-card-editor",Et=[{name:"entry_id",selector:{config_entry:{integration:"esendex"}}},{name:"title",selector:{text:{}}},{name:"threads",selector:{number:{min:1,max:50,mode:"box"}}},{name:"show_reply",selector:{boolean:{}}}],At={entry_id:"editor_entry",title:"editor_title",threads:"editor_threads",show_reply:"editor_show_reply"};function Tt(r,e){let t={...r,...e,type:r.type};for(let s of["entry_id","title","device_id"])(t[s]===void 0||t[s]===null||t[s]==="")&&delete t[s];return e.entry_id&&delete t.device_id,(t.threads===void 0||t.threads===null||t.threads==="")&&delete t.threads,t}var z=class extends m{constructor(){super(...arguments);g(this,"_computeLabel",t=>{let s=At[t.name];return s?this._strings()[s]:t.name})}setConfig(t){this._config={...t}}_strings(){return q(this.hass?.locale?.language??this.hass?.language)}_valueChanged(t){if(t.stopPropagation(),!this._config)return;let s=Tt(this._config,t.detail.value);this._config=s,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}render(){if(!this._config)return p``;let t={threads:5,show_reply:!0,...this._config};return p`<ha-form
      .hass=${this.hass}
      .data=${t}
      .schema=${Et}
      .computeLabel=${this._computeLabel}
      @value-changed=${this._valueChanged}
    ></ha-form>`}};g(z,"properties",{hass:{attribute:!1},_config:{state:!0}});var kt=new Set(`@£$¥èéùìòÇ
Øø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà`),Ge=new Set("^{}\\[~]|€"),Ct=160,Mt=153,Rt=70,Dt=67;function Nt(r){for(let e of r)if(!kt.has(e)&&!Ge.has(e))return!1;return!0}function je(r){let e=Array.from(r),t=Nt(r),s=t?"gsm7":"ucs2",i=e.map(u=>t?Ge.has(u)?2:1:u.length),n=i.reduce((u,h)=>u+h,0),o=t?Ct:Rt;if(n===0)return{encoding:s,units:n,parts:0,remaining:o};if(n<=o)return{encoding:s,units:n,parts:1,remaining:o-n};let d=t?Mt:Dt,a=1,l=0;for(let u of i)l+u>d&&(a+=1,l=0),l+=u;return{encoding:s,units:n,parts:a,remaining:d-l}}var Ve=X`
  :host {
    display: block;
  }
  ha-card {
    height: 100%;
    display: flex;
    flex-direction: column;
    overflow: hidden;
  }
  .content {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    color: var(--primary-text-color);
  }
  button {
    font: inherit;
    color: inherit;
  }
  button:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--primary-color);
    outline-offset: -2px;
  }
  svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
    flex: none;
  }
  .state {
    padding: 24px 16px;
    text-align: center;
    color: var(--secondary-text-color);
  }
  .state .sub {
    display: block;
    margin-top: 4px;
    font-size: 12px;
  }

  /* The list of threads. */
  .threads {
    list-style: none;
    margin: 0;
    padding: 0 0 8px;
    overflow-y: auto;
    min-height: 0;
  }
  .threads li + li {
    border-top: 1px solid var(--divider-color);
  }
  .thread {
    display: flex;
    align-items: center;
    gap: 12px;
    width: 100%;
    box-sizing: border-box;
    padding: 10px 16px;
    border: 0;
    background: none;
    text-align: start;
    cursor: pointer;
  }
  .thread:hover {
    background: var(--secondary-background-color);
  }
  .avatar {
    flex: none;
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--secondary-background-color);
    color: var(--secondary-text-color);
    font-weight: 500;
    font-size: 16px;
  }
  .main {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .row {
    display: flex;
    align-items: baseline;
    gap: 8px;
    min-width: 0;
  }
  .name {
    flex: 1;
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .when {
    flex: none;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .preview {
    flex: 1;
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    font-size: 14px;
    color: var(--secondary-text-color);
  }
  .thread.unread .name,
  .thread.unread .preview {
    font-weight: 600;
    color: var(--primary-text-color);
  }
  .thread.unread .when {
    color: var(--primary-color);
  }
  .badge {
    flex: none;
    align-self: center;
    min-width: 20px;
    height: 20px;
    box-sizing: border-box;
    padding: 0 6px;
    border-radius: 10px;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    background: var(--primary-color);
    color: var(--text-primary-color);
    font-size: 12px;
    font-weight: 600;
  }

  /* One thread. */
  .thread-view {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .thread-header {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 4px 8px;
    border-bottom: 1px solid var(--divider-color);
  }
  .who {
    flex: 1;
    min-width: 0;
  }
  .who .name {
    display: block;
  }
  .who .number {
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .icon-button {
    flex: none;
    width: 40px;
    height: 40px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    background: none;
    color: var(--primary-text-color);
    cursor: pointer;
  }
  .messages {
    flex: 1;
    min-height: 120px;
    max-height: var(--esendex-messages-height, 420px);
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 8px 12px;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .load-earlier {
    align-self: center;
    margin-bottom: 4px;
    padding: 4px 12px;
    border: 1px solid var(--divider-color);
    border-radius: 16px;
    background: none;
    color: var(--primary-color);
    font-size: 13px;
    cursor: pointer;
  }
  .load-earlier[disabled] {
    cursor: default;
    color: var(--secondary-text-color);
  }
  .divider {
    align-self: stretch;
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 8px 0 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .divider::before,
  .divider::after {
    content: "";
    flex: 1;
    border-top: 1px solid var(--divider-color);
  }
  .message {
    display: flex;
    flex-direction: column;
    max-width: 80%;
    min-width: 0;
  }
  .message.in {
    align-self: flex-start;
    align-items: flex-start;
  }
  .message.out {
    align-self: flex-end;
    align-items: flex-end;
  }
  .bubble {
    max-width: 100%;
    box-sizing: border-box;
    padding: 8px 12px;
    border-radius: 18px;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    line-height: 1.35;
    font-size: 14px;
  }
  .in .bubble {
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
    border-bottom-left-radius: 4px;
  }
  .out .bubble {
    background: var(--primary-color);
    color: var(--text-primary-color);
    border-bottom-right-radius: 4px;
  }
  .out.failed .bubble {
    box-shadow: 0 0 0 1px var(--error-color);
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 2px 6px 0;
    font-size: 11px;
    color: var(--secondary-text-color);
  }
  .assist {
    padding: 0 6px;
    border: 1px solid var(--divider-color);
    border-radius: 8px;
  }
  .tick {
    font-size: 12px;
    line-height: 1;
  }
  .tick.delivered {
    color: var(--primary-color);
    letter-spacing: -0.3em;
    padding-right: 0.3em;
  }
  .tick.failed {
    padding: 0 2px;
    border: 0;
    background: none;
    color: var(--error-color);
    font-size: 14px;
    cursor: pointer;
  }
  .reason {
    padding: 2px 6px 4px;
    font-size: 12px;
    color: var(--error-color);
    overflow-wrap: anywhere;
  }
  .message.system {
    display: block;
    align-self: center;
    max-width: 90%;
    padding: 4px 8px;
    text-align: center;
    font-size: 12px;
    color: var(--secondary-text-color);
  }

  /* The reply box. */
  .reply {
    padding: 8px 12px 12px;
    border-top: 1px solid var(--divider-color);
  }
  .reply-row {
    display: flex;
    align-items: flex-end;
    gap: 8px;
  }
  textarea {
    flex: 1;
    min-width: 0;
    box-sizing: border-box;
    min-height: 40px;
    max-height: 140px;
    field-sizing: content;
    resize: none;
    overflow-y: auto;
    padding: 9px 14px;
    border: 1px solid var(--divider-color);
    border-radius: 20px;
    background: var(--ha-card-background, var(--card-background-color));
    color: var(--primary-text-color);
    font: inherit;
    font-size: 14px;
    line-height: 20px;
  }
  textarea:focus {
    border-color: var(--primary-color);
  }
  textarea::placeholder {
    color: var(--secondary-text-color);
  }
  .send {
    background: var(--primary-color);
    color: var(--text-primary-color);
  }
  .send[disabled] {
    background: var(--secondary-background-color);
    color: var(--secondary-text-color);
    cursor: default;
  }
  .reply-info {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 8px;
    padding: 4px 14px 0;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .encoding {
    color: var(--primary-color);
  }
  .error {
    padding: 4px 14px 0;
    font-size: 13px;
    color: var(--error-color);
    overflow-wrap: anywhere;
  }
  .receive-only {
    padding: 8px 16px 12px;
    border-top: 1px solid var(--divider-color);
    font-size: 12px;
    color: var(--secondary-text-color);
    text-align: center;
  }
`;function k(r){let e=r?Date.parse(r):NaN;return Number.isNaN(e)?0:e}function he(r){return r.map((e,t)=>({thread:e,index:t})).sort((e,t)=>k(t.thread.last?.time)-k(e.thread.last?.time)||e.index-t.index).map(({thread:e})=>e)}function ue(r,e){let t=r.filter(s=>s.number!==e.number);return he([e,...t])}function Be(r){return r.map((e,t)=>({message:e,index:t})).sort((e,t)=>k(e.message.time)-k(t.message.time)||e.index-t.index).map(({message:e})=>e)}function We(r,e){let t=r.findIndex(s=>s.id===e.id);if(t>=0){let s=r.slice();return s[t]=e,s}return Be([...r,e])}function Ht(r,e){return k(r.status_time)>k(e.status_time)}function pe(r,e){let t=new Map;for(let i of e)t.has(i.id)||t.set(i.id,i);let s=r.map(i=>{let n=t.get(i.id);return n?(t.delete(i.id),Ht(n,i)?n:i):i});return Be([...t.values(),...s])}function Z(r,e){return r.map(t=>t.number===e&&t.unread!==0?{...t,unread:0}:t)}function Ke(r,e){return e!==null&&r.number===e&&r.direction==="in"}function G(r){return/^\d+$/.test(r)?`+${r}`:r}function qe(r){return/^\+?\d{5,15}$/.test(r)}function _e(r){return r.contact||G(r.number)}function Ye(r,e){if(r.direction!=="out")return null;switch(r.status){case"delivered":return{state:"delivered",symbol:"✓✓",label:e.tick_delivered,reason:null};case"failed":{let t=r.failure_reason?.trim()||e.failed_unknown;return{state:"failed",symbol:"⚠",label:`${e.tick_failed}: ${t}`,reason:t}}default:return{state:"sent",symbol:"✓",label:e.tick_sent,reason:null}}}function E(r){try{return Intl.getCanonicalLocales(r||"en")[0]??"en"}catch{return"en"}}function ge(r){if(r==="12")return!0;if(r==="24")return!1}var M=new Map;function C(r,e){let t=`d|${r}|${JSON.stringify(e)}`,s=M.get(t);return s||(s=new Intl.DateTimeFormat(r,e),M.set(t,s)),s}function Ze(r,e){let t=`n|${r}|${e}`,s=M.get(t);return s||(s=new Intl.NumberFormat(r,{style:"unit",unit:e,unitDisplay:"short"}),M.set(t,s)),s}function Ut(r){let e=`r|${r}`,t=M.get(e);return t||(t=new Intl.RelativeTimeFormat(r,{numeric:"auto"}),M.set(e,t)),t.format(0,"second")}function Je(r){return new Date(r.getFullYear(),r.getMonth(),r.getDate())}function Xe(r,e){return Math.round((Je(e).getTime()-Je(r).getTime())/(24*36e5))}function Qe(r){return`${r.getFullYear()}-${r.getMonth()+1}-${r.getDate()}`}function et(r,e,t,s){let i=Xe(r,e);if(i===0)return s.today;if(i===1)return s.yesterday;let n=r.getFullYear()===e.getFullYear()?{weekday:"long",day:"numeric",month:"long"}:{day:"numeric",month:"long",year:"numeric"};return C(E(t),n).format(r)}function tt(r,e){e!==void 0&&(r.hourCycle=e?"h12":"h23")}function st(r,e,t){let s={hour:"numeric",minute:"2-digit"};return tt(s,t),C(E(e),s).format(r)}function fe(r,e,t,s){let i=E(t),n=e.getTime()-r.getTime();return n<6e4?Ut(i):n<36e5?Ze(i,"minute").format(Math.floor(n/6e4)):n<12*36e5?Ze(i,"hour").format(Math.floor(n/36e5)):st(r,i,s)}function rt(r,e,t,s,i){let n=E(t),o=e.getTime()-r.getTime(),d=Xe(r,e);return o<12*36e5||d<=0?o<12*36e5?fe(r,e,n,i):st(r,n,i):d===1?s.yesterday:d<7?C(n,{weekday:"short"}).format(r):r.getFullYear()===e.getFullYear()?C(n,{day:"numeric",month:"short"}).format(r):C(n,{day:"numeric",month:"short",year:"numeric"}).format(r)}function me(r,e,t){let s={weekday:"short",day:"numeric",month:"short",year:"numeric",hour:"numeric",minute:"2-digit",second:"2-digit"};return tt(s,t),C(E(e),s).format(r)}var nt=[2e3,4e3,8e3,16e3,3e4],Lt=3e4,ot=50,Pt=48,Ot=K`<path d="M20,11V13H8L13.5,18.5L12.08,19.92L4.16,12L12.08,4.08L13.5,5.5L8,11H20Z"></path>`,It=K`<path d="M2,21L23,12L2,3V10L17,12L2,14V21Z"></path>`,zt=K`<path d="M12,4A4,4 0 0,1 16,8A4,4 0 0,1 12,12A4,4 0 0,1 8,8A4,4 0 0,1 12,4M12,14C16.42,14 20,15.79 20,18V20H4V18C4,15.79 7.58,14 12,14Z"></path>`;function ye(r){return p`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${r}</svg>`}function ve(r){if(r&&typeof r=="object"&&"message"in r){let e=r.message;if(e)return e}return String(r)}function at(r){try{Promise.resolve(r()).catch(()=>{})}catch{}}var R=class extends m{constructor(){super();g(this,"_hass");g(this,"_connected",!1);g(this,"_unsubscribe");g(this,"_subscribing",!1);g(this,"_generation",0);g(this,"_retryTimer");g(this,"_retries",0);g(this,"_ticker");g(this,"_threadGeneration",0);g(this,"_scrollToEnd",!1);g(this,"_keepFromEnd",null);this._status="loading",this._threads=[],this._canSend=!1,this._open=null,this._messages=[],this._hasMore=!1,this._loadingThread=!1,this._loadingEarlier=!1,this._threadError=null,this._drafts={},this._sending=!1,this._sendError=null,this._reasonShown=null,this._now=Date.now()}set hass(t){let s=this._hass;this._hass=t,(!s||s.language!==t.language||s.locale?.language!==t.locale?.language||s.locale?.time_format!==t.locale?.time_format)&&this.requestUpdate(),this._ensureSubscribed()}get hass(){return this._hass}setConfig(t){let s=Ie(t),i=this._config;this._config=s,i&&(i.entry_id!==s.entry_id||i.device_id!==s.device_id)?this._resetSubscription():this._ensureSubscribed()}static getConfigElement(){return document.createElement(F)}static async getStubConfig(t){let s={};try{let i=await t.callWS({type:"config_entries/get",domain:"esendex"}),n=i.find(o=>o.state==="loaded")??i[0];n&&(s.entry_id=n.entry_id)}catch{}return{...s,threads:5,show_reply:!0}}getCardSize(){return 1+Math.min(this._config?.threads??5,8)}getGridOptions(){return{columns:12,min_columns:6,rows:"auto"}}connectedCallback(){super.connectedCallback(),this._connected=!0,this._now=Date.now(),this._ticker=setInterval(()=>{this._now=Date.now()},Lt),this._ensureSubscribed()}disconnectedCallback(){super.disconnectedCallback(),this._connected=!1,this._ticker!==void 0&&clearInterval(this._ticker),this._ticker=void 0,this._dropSubscription()}_subscriptionTarget(){return ze(this._config)}_target(){return this._entryId?{entry_id:this._entryId}:this._subscriptionTarget()}_ensureSubscribed(){!this._connected||!this._hass||!this._config||this._unsubscribe||this._subscribing||this._retryTimer!==void 0||this._subscribe()}async _subscribe(){let t=this._hass,s=++this._generation;this._subscribing=!0;try{let i=await t.connection.subscribeMessage(n=>{s===this._generation&&this._onEvent(n)},{type:"esendex/messages/subscribe",...this._subscriptionTarget()});if(s!==this._generation){at(i);return}this._unsubscribe=i}catch(i){if(s!==this._generation)return;this._status=i?.code==="unauthorized"?"unauthorized":"unavailable",this._scheduleRetry()}finally{s===this._generation&&(this._subscribing=!1)}}_scheduleRetry(){if(!this._connected||this._retryTimer!==void 0)return;let t=nt[Math.min(this._retries,nt.length-1)];this._retries+=1,this._retryTimer=setTimeout(()=>{this._retryTimer=void 0,this._ensureSubscribed()},t)}_dropSubscription(){this._generation+=1,this._subscribing=!1,this._retryTimer!==void 0&&clearTimeout(this._retryTimer),this._retryTimer=void 0;let t=this._unsubscribe;this._unsubscribe=void 0,t&&at(t)}_resetSubscription(){this._dropSubscription(),this._retries=0,this._status="loading",this._threads=[],this._entryId=void 0,this._closeThread(),this._ensureSubscribed()}_onEvent(t){switch(this._now=Date.now(),t.type){case"threads":this._threads=he(t.threads??[]),this._canSend=t.can_send===!0,this._entryId=t.entry_id??this._config?.entry_id,this._status="ready",this._retries=0,this._open!==null&&(this._loadLatest(this._open,!1),this._threads.some(s=>s.number===this._open&&s.unread>0)&&(this._threads=Z(this._threads,this._open),this._markRead(this._open)));break;case"message":this._onMessage(t.message,t.thread);break;case"thread":this._threads=ue(this._threads,t.thread);break;case"closed":this._dropSubscription(),this._status="unavailable",this._scheduleRetry();break}}_onMessage(t,s){let i=s?ue(this._threads,s):this._threads;if(this._open!==null&&t.number===this._open){let n=this._messages.some(d=>d.id===t.id),o=this._atEnd();this._messages=We(this._messages,t),n||((o||t.direction==="out")&&(this._scrollToEnd=!0),Ke(t,this._open)&&(i=Z(i,this._open),this._markRead(this._open)))}this._threads=i}_markRead(t){this._hass?.callWS({type:"esendex/messages/mark_read",...this._target(),number:t}).catch(()=>{})}_openThread(t){this._threadGeneration+=1,this._open=t,this._messages=[],this._hasMore=!1,this._threadError=null,this._sendError=null,this._reasonShown=null,this._threads=Z(this._threads,t),this._markRead(t),this._loadLatest(t,!0)}_closeThread(){this._threadGeneration+=1,this._open=null,this._messages=[],this._hasMore=!1,this._loadingThread=!1,this._loadingEarlier=!1,this._threadError=null,this._reasonShown=null}async _loadLatest(t,s){let i=this._hass;if(!i)return;let n=this._threadGeneration;this._loadingThread=!0;try{let o=await i.callWS({type:"esendex/messages/thread",...this._target(),number:t,limit:ot});if(n!==this._threadGeneration)return;let d=this._messages.length>0,a=this._atEnd();this._messages=pe(this._messages,o.messages??[]),d||(this._hasMore=o.has_more===!0),(s||a)&&(this._scrollToEnd=!0),this._threadError=null}catch(o){n===this._threadGeneration&&(this._threadError=ve(o))}finally{n===this._threadGeneration&&(this._loadingThread=!1)}}async _loadEarlier(){let t=this._hass,s=this._open,i=this._messages[0];if(!t||s===null||!i||this._loadingEarlier)return;let n=this._threadGeneration;this._loadingEarlier=!0;try{let o=await t.callWS({type:"esendex/messages/thread",...this._target(),number:s,limit:ot,before:i.id});if(n!==this._threadGeneration)return;let d=this._scroller();d&&(this._keepFromEnd=d.scrollHeight-d.scrollTop),this._messages=pe(this._messages,o.messages??[]),this._hasMore=o.has_more===!0}catch(o){n===this._threadGeneration&&(this._threadError=ve(o))}finally{n===this._threadGeneration&&(this._loadingEarlier=!1)}}_scroller(){return this.renderRoot?.querySelector(".messages")??null}_atEnd(){let t=this._scroller();return t?t.scrollHeight-t.scrollTop-t.clientHeight<=Pt:!0}updated(t){super.updated(t);let s=this._scroller();s&&(this._keepFromEnd!==null?(s.scrollTop=s.scrollHeight-this._keepFromEnd,this._keepFromEnd=null):this._scrollToEnd&&(s.scrollTop=s.scrollHeight),this._scrollToEnd=!1)}_canReply(){return this._config?.show_reply!==!1&&this._canSend&&!!this._entryId&&this._open!==null&&qe(this._open)}_draft(){return this._open===null?"":this._drafts[this._open]??""}_onInput(t){let s=t.target;this._open!==null&&(this._drafts={...this._drafts,[this._open]:s.value},this._sendError?.number===this._open&&(this._sendError=null))}_onKeyDown(t){t.key!=="Enter"||t.shiftKey||t.isComposing||t.keyCode===229||(t.preventDefault(),this._send())}async _send(){let t=this._hass,s=this._open,i=this._entryId;if(!t||s===null||!i||this._sending)return;let n=(this._drafts[s]??"").trim();if(n){this._sending=!0,this._sendError=null;try{await t.callService("esendex","send_sms",{config_entry_id:i,to:[G(s)],message:n},void 0,!1,!0),this._drafts={...this._drafts,[s]:""},this._open===s&&(this._scrollToEnd=!0)}catch(o){this._sendError={number:s,message:ve(o)}}finally{this._sending=!1}await this.updateComplete,this._open===s&&this.renderRoot.querySelector("textarea")?.focus()}}_strings(){return q(this._hass?.locale?.language??this._hass?.language)}_locale(){return E(this._hass?.locale?.language||this._hass?.language)}render(){if(!this._config)return c;let t=this._strings();return p`<ha-card .header=${this._config.title}>
      <div class="content">${this._renderBody(t)}</div>
    </ha-card>`}_renderBody(t){return this._status==="loading"?p`<div class="state" role="status">${t.loading}</div>`:this._status==="unavailable"||this._status==="unauthorized"?p`<div class="state" data-testid="not-available" role="status">
        ${this._status==="unauthorized"?t.not_allowed:t.not_available}
        <span class="sub">${t.retrying}</span>
      </div>`:this._open===null?this._renderList(t):this._renderThread(t,this._open)}_renderList(t){let s=this._threads.slice(0,this._config.threads);if(!s.length)return p`<div class="state">${t.no_messages}</div>`;let i=new Date(this._now),n=this._locale(),o=ge(this._hass?.locale?.time_format);return p`<ul class="threads" role="list">
      ${s.map(d=>{let a=_e(d),l=d.last,u=l?l.kind==="opt_out"?t.opted_out:`${l.direction==="out"?t.you:""}${l.text}`:"",h=l?new Date(l.time):null,f=d.unread>0?Y(t.unread,{n:d.unread}):"",_=[a,u,f].filter(Boolean).join(", ");return p`<li>
          <button
            class="thread ${d.unread>0?"unread":""}"
            data-testid="thread-item"
            data-number=${d.number}
            aria-label=${_}
            @click=${()=>this._openThread(d.number)}
          >
            <span class="avatar" aria-hidden="true"
              >${d.contact?Array.from(d.contact.trim())[0]?.toUpperCase():ye(zt)}</span
            >
            <span class="main">
              <span class="row">
                <span class="name">${a}</span>
                ${h?p`<time
                      class="when"
                      datetime=${l.time}
                      title=${me(h,n,o)}
                      >${rt(h,i,n,t,o)}</time
                    >`:c}
              </span>
              <span class="row">
                <span class="preview">${u}</span>
                ${d.unread>0?p`<span class="badge" data-testid="unread-badge" aria-hidden="true"
                      >${d.unread}</span
                    >`:c}
              </span>
            </span>
          </button>
        </li>`})}
    </ul>`}_renderThread(t,s){let i=this._threads.find(d=>d.number===s),n=i?_e(i):G(s),o=this._canReply();return p`<div class="thread-view">
      <div class="thread-header">
        <button
          class="icon-button"
          data-testid="back"
          aria-label=${t.back}
          title=${t.back}
          @click=${()=>this._closeThread()}
        >
          ${ye(Ot)}
        </button>
        <div class="who">
          <span class="name">${n}</span>
          ${i?.contact?p`<span class="number">${G(s)}</span>`:c}
        </div>
      </div>
      <div class="messages" role="log">
        ${this._hasMore?p`<button
              class="load-earlier"
              data-testid="load-earlier"
              ?disabled=${this._loadingEarlier}
              @click=${()=>this._loadEarlier()}
            >
              ${this._loadingEarlier?t.loading:t.load_earlier}
            </button>`:c}
        ${this._loadingThread&&!this._messages.length?p`<div class="state" role="status">${t.loading}</div>`:c}
        ${this._threadError?p`<div class="state error" role="alert">${this._threadError}</div>`:c}
        ${this._renderMessages(t)}
      </div>
      ${o?this._renderReply(t,s):this._config.show_reply&&!this._canSend?p`<div class="receive-only">${t.receive_only}</div>`:c}
    </div>`}_renderMessages(t){let s=new Date(this._now),i=this._locale(),n=ge(this._hass?.locale?.time_format),o=[],d=null;for(let a of this._messages){let l=new Date(a.time),u=!Number.isNaN(l.getTime()),h=u?Qe(l):"";u&&h!==d&&(o.push(p`<div class="divider" role="separator">${et(l,s,i,t)}</div>`),d=h);let f=u?p`<time datetime=${a.time} title=${me(l,i,n)}
            >${fe(l,s,i,n)}</time
          >`:c;if(a.kind==="opt_out"){o.push(p`<div
          class="message system"
          data-testid="message"
          data-id=${a.id}
          data-direction=${a.direction}
          data-status=${a.status}
        >
          <span>${t.opted_out_line}</span>${u?" · ":""}${f}
        </div>`);continue}let _=Ye(a,t),v=_?.state==="failed"&&this._reasonShown===a.id;o.push(p`<div
        class="message ${a.direction==="out"?"out":"in"} ${a.status}"
        data-testid="message"
        data-id=${a.id}
        data-direction=${a.direction}
        data-status=${a.status}
      >
        <div class="bubble">${a.text}</div>
        <div class="meta">
          ${a.assist?p`<span class="assist">${t.assist}</span>`:c} ${f}
          ${_===null?c:_.state==="failed"?p`<button
                  class="tick failed"
                  data-testid="tick"
                  data-status="failed"
                  title=${_.reason??""}
                  aria-label=${_.label}
                  aria-expanded=${v?"true":"false"}
                  @click=${()=>{this._reasonShown=v?null:a.id}}
                >
                  ${_.symbol}
                </button>`:p`<span
                  class="tick ${_.state}"
                  data-testid="tick"
                  data-status=${_.state}
                  role="img"
                  aria-label=${_.label}
                  title=${_.label}
                  >${_.symbol}</span
                >`}
        </div>
        ${v?p`<div class="reason" role="status">${_?.reason}</div>`:c}
      </div>`)}return o}_renderReply(t,s){let i=this._draft(),n=i.trim(),o=je(n),d=this._sendError?.number===s?this._sendError.message:null;return p`<div class="reply">
      <div class="reply-row">
        <textarea
          data-testid="reply-input"
          rows="1"
          .value=${i}
          placeholder=${t.placeholder}
          aria-label=${t.placeholder}
          ?readonly=${this._sending}
          aria-busy=${this._sending?"true":"false"}
          @input=${this._onInput}
          @keydown=${this._onKeyDown}
        ></textarea>
        <button
          class="icon-button send"
          data-testid="reply-send"
          aria-label=${this._sending?t.sending:t.send}
          title=${t.send}
          ?disabled=${!n||this._sending}
          @click=${()=>this._send()}
        >
          ${ye(It)}
        </button>
      </div>
      <div class="reply-info">
        <span data-testid="reply-counter"
          >${`${Y(t.left,{n:o.remaining})} · ${Y(t.parts,{n:o.parts})}`}</span
        >
        ${o.encoding==="ucs2"?p`<span class="encoding" data-testid="reply-encoding" title=${t.unicode_hint}
              >${t.unicode}</span
            >`:c}
        ${this._sending?p`<span role="status">${t.sending}</span>`:c}
      </div>
      ${d?p`<div class="error" data-testid="reply-error" role="alert">${d}</div>`:c}
    </div>`}};g(R,"styles",Ve),g(R,"properties",{_config:{state:!0},_status:{state:!0},_threads:{state:!0},_canSend:{state:!0},_entryId:{state:!0},_open:{state:!0},_messages:{state:!0},_hasMore:{state:!0},_loadingThread:{state:!0},_loadingEarlier:{state:!0},_threadError:{state:!0},_drafts:{state:!0},_sending:{state:!0},_sendError:{state:!0},_reasonShown:{state:!0},_now:{state:!0}});function dt(){window.customElements.get(F)||window.customElements.define(F,z),window.customElements.get(I)||window.customElements.define(I,R)}window.customElements.get("home-assistant")?dt():window.customElements.whenDefined("home-assistant").then(dt);window.customCards=window.customCards||[];window.customCards.some(r=>r.type===I)||window.customCards.push({type:I,name:"Esendex messages",description:"SMS threads by contact, live, with delivery ticks and a reply box.",preview:!0,documentationURL:"https://github.com/esendex-sms/home-assistant-esendex/blob/main/docs/messages-card.md"});export{R as EsendexMessagesCard,z as EsendexMessagesCardEditor};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
