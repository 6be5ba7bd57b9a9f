"""Cell formats shared by the XLSX exports: amounts in the currency's own number format (symbol on
its side, its decimals) and one date format, so every sheet reads the same."""

DATE_FORMAT = "yyyy-mm-dd"


def money_format(currency, symbol=True):
    """Excel number format of `currency`: '#,##0.00 "€"' or '"$" #,##0.00' (no symbol: '#,##0.00')."""
    places = currency.decimal_places
    number = "#,##0." + "0" * places if places else "#,##0"
    if not symbol or not currency.symbol:
        return number
    symbol_text = currency.symbol.replace('"', "")
    quoted = f'"{symbol_text}"'
    if currency.position == "before":
        fmt = f"{quoted} {number}"
    else:
        fmt = f"{number} {quoted}"
    # negatives keep the symbol on its side: positive;negative
    return f"{fmt};-{fmt}"
