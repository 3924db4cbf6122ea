"""The web pages: the merchant dashboard (`/dashboard`) and the shopper's "My Wallet"
page (`/portal/{token}`), server-rendered with Jinja2, every string through one gettext
catalogue, money and dates formatted by Babel for the page's locale."""
